/**
 * Tools: the registry built from the IR (skills and MCP client tools, with
 * schema validation, timeouts and error results), the MCP connection pool,
 * and the executors for mcp, http, command and inline tools.
 */
export type { ToolContext, ToolExecutor, ToolRegistry, ToolResult } from './types.js';
export { createToolRegistry, type ToolRegistryOptions } from './registry.js';
export { McpPool, type McpPoolOptions, type McpServerSpec } from './mcp-pool.js';
export { McpExecutor } from './mcp-executor.js';
export { HttpExecutor, type HttpTool } from './http-executor.js';
export { CommandExecutor, type CommandTool } from './command-executor.js';
export { InlineExecutor, type InlineTool } from './inline-executor.js';
export { SchemaValidator } from './schema-validator.js';
export { clientToolName, toToolName, TOOL_NAME_PATTERN } from './tool-names.js';
