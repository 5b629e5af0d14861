/**
 * One MCP client connection per declared server, shared by every agent of a
 * runtime. A stdio server is started on first use and kept; a server that
 * dies is dropped from the pool and started again on the next call (a call
 * in flight when it dies fails with a tool error). sse and streamable-http
 * connections are opened once and reused; `auth` sends the named secret as
 * a Bearer token.
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { AgentSpecError, ErrorCode } from '../errors.js';
import type { IRServer } from '../ir/types.js';
import type { SecretVault } from '../secrets/vault.js';
import { contentText, contentToResult, type McpContentBlock } from './mcp-content.js';
import { tail } from './tool-output.js';

type McpSdk = typeof import('./mcp-sdk.js');

export type McpServerSpec = IRServer['attributes'];

export interface McpPoolOptions {
  secrets: SecretVault;
  /** how long starting or reaching a server may take (default 30 s) */
  connectTimeoutMs?: number | undefined;
  logger?: (line: Record<string, unknown>) => void;
  /** working directory of stdio servers (the package's directory) */
  workdir?: string | undefined;
}

export interface McpCallOptions {
  signal: AbortSignal;
  timeoutMs: number;
}

interface Connection {
  sdk: McpSdk;
  client: Client;
  transport: Transport;
  pid: number | null;
  stderr: { text: string };
}

const STDERR_KEPT = 4096;
const FALLBACK_PATH = '/usr/local/bin:/usr/bin:/bin';

/** Pooled MCP clients for a package's servers. */
export class McpPool {
  private readonly specs: Map<string, McpServerSpec>;
  private readonly connections = new Map<string, Promise<Connection>>();
  private readonly connectTimeoutMs: number;
  private closed = false;

  constructor(
    servers: Iterable<IRServer>,
    private readonly options: McpPoolOptions,
  ) {
    this.specs = new Map([...servers].map((s) => [s.name, s.attributes]));
    this.connectTimeoutMs = options.connectTimeoutMs ?? 30_000;
  }

  /** Every tool the server lists (`tools/list`, all pages). */
  async listTools(server: string, signal?: AbortSignal): Promise<Tool[]> {
    const conn = await this.connection(server);
    const tools: Tool[] = [];
    let cursor: string | undefined;
    try {
      do {
        const page = await conn.client.listTools(cursor === undefined ? {} : { cursor }, { timeout: this.connectTimeoutMs, ...(signal && { signal }) });
        tools.push(...page.tools);
        cursor = page.nextCursor;
      } while (cursor !== undefined);
    } catch (error) {
      throw this.failure(server, conn, error, 'listing its tools');
    }
    return tools;
  }

  /** Calls a tool; an `isError` result, a protocol error or a lost connection throws `tool_error`. */
  async callTool(server: string, tool: string, input: unknown, options: McpCallOptions): Promise<unknown> {
    if (input === null || typeof input !== 'object' || Array.isArray(input)) {
      throw new AgentSpecError(ErrorCode.ToolError, `MCP tool "${server}/${tool}" takes a JSON object as input.`);
    }
    const request = { name: tool, arguments: input as Record<string, unknown> };
    // the SDK never removes the abort listener it adds to a request's signal, so each request gets its own
    const local = new AbortController();
    const relay = () => local.abort(options.signal.reason);
    if (options.signal.aborted) relay();
    else options.signal.addEventListener('abort', relay, { once: true });
    try {
      return await this.callOnce(server, tool, request, { signal: local.signal, timeout: options.timeoutMs });
    } finally {
      options.signal.removeEventListener('abort', relay);
    }
  }

  private async callOnce(
    server: string,
    tool: string,
    request: { name: string; arguments: Record<string, unknown> },
    options_: { signal: AbortSignal; timeout: number },
  ): Promise<unknown> {
    let conn = await this.connection(server);
    let result;
    try {
      result = await conn.client.callTool(request, undefined, options_);
    } catch (error) {
      if (!notDelivered(conn.sdk, error) || options_.signal.aborted) throw this.failure(server, conn, error, `calling "${tool}"`);
      // the server refused the message before running it (its session is gone, e.g. after a restart):
      // one retry on a fresh connection is safe
      this.drop(server, conn);
      conn = await this.connection(server);
      try {
        result = await conn.client.callTool(request, undefined, options_);
      } catch (retryError) {
        throw this.failure(server, conn, retryError, `calling "${tool}"`);
      }
    }
    const content = result.content as McpContentBlock[] | undefined;
    if (result.isError) {
      const text = contentText(content);
      throw new AgentSpecError(
        ErrorCode.ToolError,
        `MCP tool "${server}/${tool}" reported an error: ${text === '' ? '(no message)' : tail(this.options.secrets.redact(text))}`,
        {
          details: { server, tool },
        },
      );
    }
    return contentToResult(content);
  }

  /** The process id of a connected stdio server, else null. */
  async pidOf(server: string): Promise<number | null> {
    const pending = this.connections.get(server);
    return pending ? ((await pending.catch(() => undefined))?.pid ?? null) : null;
  }

  /** Number of open connections. */
  get size(): number {
    return this.connections.size;
  }

  /** Closes every connection and stops every stdio server it started. */
  async close(): Promise<void> {
    this.closed = true;
    const pending = [...this.connections.values()];
    this.connections.clear();
    await Promise.allSettled(pending.map(async (p) => shutdown(await p)));
  }

  private connection(server: string): Promise<Connection> {
    if (this.closed) return Promise.reject(new AgentSpecError(ErrorCode.ToolError, `The tool registry is closed; MCP server "${server}" is not available.`));
    let pending = this.connections.get(server);
    if (!pending) {
      pending = this.connect(server);
      this.connections.set(server, pending);
      pending.catch(() => {
        if (this.connections.get(server) === pending) this.connections.delete(server);
      });
    }
    return pending;
  }

  private async connect(server: string): Promise<Connection> {
    const spec = this.specs.get(server);
    if (!spec) throw new AgentSpecError(ErrorCode.ToolError, `MCP server "${server}" is not declared in the package.`);
    // imported on the first connection (the module loader keeps it for the next ones)
    const sdk = await import('./mcp-sdk.js');
    const stderr = { text: '' };
    const transport = await this.transportFor(sdk, server, spec, stderr);
    // the same interpreting validator as the registry's (no code generation at start), for tools' output schemas
    const client = new sdk.Client(
      { name: 'agentspec-runtime', version: '0.1.0' },
      { capabilities: {}, jsonSchemaValidator: new sdk.CfWorkerJsonSchemaValidator() },
    );
    try {
      await client.connect(transport, { timeout: this.connectTimeoutMs });
    } catch (error) {
      await transport.close().catch(() => {});
      const where =
        spec.transport === 'stdio' ? `could not be started (${spec.command ?? ''} ${spec.args.join(' ')})` : `could not be reached at ${spec.url ?? ''}`;
      const err = tail(this.options.secrets.redact(stderr.text), 1000);
      throw new AgentSpecError(ErrorCode.ToolError, `MCP server "${server}" ${where}: ${messageOf(error)}${err ? `; its stderr ends with: ${err}` : ''}`, {
        cause: error,
        details: { server },
      });
    }
    const conn: Connection = { sdk, client, transport, pid: transport instanceof sdk.StdioClientTransport ? transport.pid : null, stderr };
    client.onclose = () => {
      // a dead server leaves the pool; the next call starts (or reaches) it again
      const current = this.connections.get(server);
      if (current)
        void current.then(
          (c) => c === conn && this.connections.get(server) === current && this.connections.delete(server),
          () => {},
        );
      this.options.logger?.({ level: 'info', msg: 'mcp connection closed', server });
    };
    if (spec.transport !== 'stdio') {
      client.onerror = (error) => {
        // a broken stream of a remote server: drop the connection so calls in flight fail now and the next one reconnects
        this.options.logger?.({ level: 'warn', msg: 'mcp transport error; reconnecting on next call', server, error: messageOf(error) });
        this.drop(server, conn);
      };
    }
    this.options.logger?.({ level: 'info', msg: 'mcp connected', server, transport: spec.transport, ...(conn.pid ? { pid: conn.pid } : {}) });
    return conn;
  }

  private async transportFor(sdk: McpSdk, server: string, spec: McpServerSpec, stderr: { text: string }): Promise<Transport> {
    if (spec.transport === 'stdio') {
      if (!spec.command) throw new AgentSpecError(ErrorCode.ConfigError, `MCP server "${server}" uses stdio but declares no command.`);
      // The SDK adds HOME, USER, SHELL, … to the child's environment; a server gets only its declared env and PATH,
      // so those keys are set to undefined, which Node's spawn leaves out.
      const blanked = Object.fromEntries(Object.keys(sdk.getDefaultEnvironment()).map((k) => [k, undefined]));
      const env = { ...blanked, PATH: process.env.PATH ?? FALLBACK_PATH, ...spec.env } as Record<string, string>;
      const transport = new sdk.StdioClientTransport({
        command: spec.command,
        args: spec.args,
        env,
        stderr: 'pipe',
        ...(this.options.workdir ? { cwd: this.options.workdir } : {}),
      });
      transport.stderr?.on('data', (chunk: Buffer) => {
        stderr.text = (stderr.text + chunk.toString('utf8')).slice(-STDERR_KEPT);
      });
      return transport;
    }
    if (!spec.url) throw new AgentSpecError(ErrorCode.ConfigError, `MCP server "${server}" uses ${spec.transport} but declares no url.`);
    const headers: Record<string, string> = {};
    if (spec.auth) headers.Authorization = `Bearer ${await this.options.secrets.get(spec.auth)}`;
    const url = new URL(spec.url);
    return spec.transport === 'sse'
      ? new sdk.SSEClientTransport(url, { requestInit: { headers } })
      : new sdk.StreamableHTTPClientTransport(url, { requestInit: { headers } });
  }

  /** Removes a connection from the pool (if still current) and closes it; calls in flight on it fail. */
  private drop(server: string, conn: Connection): void {
    const pending = this.connections.get(server);
    if (!pending) return;
    void pending.then(
      (current) => {
        if (current !== conn || this.connections.get(server) !== pending) return;
        this.connections.delete(server);
        void shutdown(conn);
      },
      () => {},
    );
  }

  /** After a timeout: a server that no longer answers a ping is dropped, so the next call gets a fresh one. */
  private async checkHealth(server: string, conn: Connection): Promise<void> {
    try {
      await conn.client.ping({ timeout: 2_000 });
    } catch {
      this.options.logger?.({ level: 'warn', msg: 'mcp server does not answer pings; dropping the connection', server });
      this.drop(server, conn);
    }
  }

  private failure(server: string, conn: Connection, error: unknown, doing: string): AgentSpecError {
    if (error instanceof AgentSpecError) return error;
    const { McpError, McpErrorCode } = conn.sdk;
    const lost = !(error instanceof McpError) || error.code === McpErrorCode.ConnectionClosed;
    // the transport failed: drop the connection so the next call reconnects (or restarts the server)
    if (lost) this.drop(server, conn);
    if (error instanceof McpError && error.code === McpErrorCode.RequestTimeout) void this.checkHealth(server, conn);
    if (error instanceof McpError && error.code === McpErrorCode.RequestTimeout) {
      return new AgentSpecError(ErrorCode.Timeout, `MCP server "${server}" did not answer in time while ${doing}.`, { cause: error, details: { server } });
    }
    // redacted before the cut, which could split a secret and leave a piece no redactor recognises
    const err = lost ? tail(this.options.secrets.redact(conn.stderr.text), 1000) : '';
    const what = lost ? `lost the connection while ${doing} (the server will be started or reached again on the next call)` : `failed while ${doing}`;
    return new AgentSpecError(ErrorCode.ToolError, `MCP server "${server}" ${what}: ${messageOf(error)}${err ? `; its stderr ends with: ${err}` : ''}`, {
      cause: error,
      details: { server },
    });
  }
}

/** True when the transport could not hand the message to the server, so the server never ran it. */
function notDelivered(sdk: McpSdk, error: unknown): boolean {
  if (error instanceof sdk.StreamableHTTPError || error instanceof sdk.SseError) return true;
  if (error instanceof Error && /^Error POSTing to endpoint/.test(error.message)) return true;
  return error instanceof TypeError && error.message === 'fetch failed';
}

async function shutdown(conn: Connection): Promise<void> {
  if (conn.transport instanceof conn.sdk.StreamableHTTPClientTransport) await conn.transport.terminateSession().catch(() => {});
  await conn.client.close().catch(() => {});
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
