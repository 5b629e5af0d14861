/**
 * The MCP SDK's client side, imported by the pool only when a connection is
 * first needed: a package without MCP servers never loads the SDK and the
 * hundreds of zod schemas it builds at import, which is most of a cold
 * start's module evaluation.
 */
export { Client } from '@modelcontextprotocol/sdk/client/index.js';
export { SSEClientTransport, SseError } from '@modelcontextprotocol/sdk/client/sse.js';
export { getDefaultEnvironment, StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
export { StreamableHTTPClientTransport, StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
export { ErrorCode as McpErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
export { CfWorkerJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/cfworker';
