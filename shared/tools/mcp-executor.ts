/** `tool mcp "server/tool"`: a call through the shared MCP pool. */
import type { McpPool } from './mcp-pool.js';
import type { ToolContext, ToolExecutor } from './types.js';

/** Runs one tool of one MCP server; the registry's timeout reaches the request through `ctx.signal`. */
export class McpExecutor implements ToolExecutor {
  constructor(
    private readonly pool: McpPool,
    private readonly server: string,
    private readonly tool: string,
    private readonly timeoutMs: number,
  ) {}

  execute(input: unknown, ctx: ToolContext): Promise<unknown> {
    return this.pool.callTool(this.server, this.tool, input, { signal: ctx.signal, timeoutMs: this.timeoutMs });
  }
}
