/**
 * The tool registry built from the IR. Every skill is a tool named after the
 * skill; every client an agent connects to adds the tools its servers list.
 * A call validates the input, runs the executor under its timeout, validates
 * the output, and turns every failure into `{ok:false, error}` with secret
 * values redacted — it never throws for a tool failure.
 */
import { textAsOutput } from './text-output.js';
import { performance } from 'node:perf_hooks';
import { AgentSpecError, ErrorCode } from '../errors.js';
import { findResource, resourcesOf, type IRDocument, type IRSkill, type JsonSchema } from '../ir/types.js';
import type { ToolDefinition } from '../llm/types.js';
import type { Sandbox } from '../sandbox/types.js';
import type { SecretVault } from '../secrets/vault.js';
import { CommandExecutor } from './command-executor.js';
import { HttpExecutor } from './http-executor.js';
import { InlineExecutor } from './inline-executor.js';
import { McpExecutor } from './mcp-executor.js';
import { McpPool } from './mcp-pool.js';
import { runWithTimeout } from './run-with-timeout.js';
import { SchemaValidator } from './schema-validator.js';
import { clientToolName, toToolName } from './tool-names.js';
import type { ToolContext, ToolExecutor, ToolRegistry, ToolResult } from './types.js';

export interface ToolRegistryOptions {
  secrets: SecretVault;
  /** runs inline tools (and refuses them where it cannot isolate them); without one, inline tools return an error result */
  sandbox?: Sandbox;
  /** structured log lines (already redacted) */
  logger?: (line: Record<string, unknown>) => void;
  /** cap on command stdout/stderr and http response bodies (default 1 MiB) */
  maxOutputBytes?: number;
  /** timeout of MCP tool calls, which declare none (default 60 s) */
  mcpTimeoutMs?: number;
  /** how long starting or reaching an MCP server may take (default 30 s) */
  mcpConnectTimeoutMs?: number;
  /**
   * the package's directory: stdio MCP servers and command tools start there,
   * so `args ["server.mjs"]` means the file beside the `.ias` (default: the
   * process's working directory)
   */
  workdir?: string | undefined;
}

/** One tool as offered: its definition, schemas and how it runs. */
interface Entry {
  definition: ToolDefinition;
  /** validated before running (skills only: MCP servers validate their own tools) */
  inputSchema?: JsonSchema;
  outputSchema?: JsonSchema | undefined;
  timeoutMs: number;
  executor: ToolExecutor;
}

const DEFAULT_MAX_OUTPUT = 1024 * 1024;
const DEFAULT_MCP_TIMEOUT = 60_000;

/** Builds the registry of a package's tools. Throws `config_error` for a skill whose schema does not compile. */
export function createToolRegistry(ir: IRDocument, options: ToolRegistryOptions): ToolRegistry & { readonly pool: McpPool } {
  return new Registry(ir, options);
}

class Registry implements ToolRegistry {
  readonly pool: McpPool;
  private readonly validator = new SchemaValidator();
  private readonly skills = new Map<string, Entry>();
  private readonly serverTools = new Map<string, Promise<Entry[]>>();
  private readonly offeredByAgent = new Map<string, Map<string, Entry>>();
  private readonly log: (line: Record<string, unknown>) => void;
  private readonly mcpTimeoutMs: number;
  private closed = false;

  constructor(
    private readonly ir: IRDocument,
    private readonly options: ToolRegistryOptions,
  ) {
    const logger = options.logger;
    this.log = logger ? (line) => logger(options.secrets.redactor.redactDeep(line)) : () => {};
    this.mcpTimeoutMs = options.mcpTimeoutMs ?? DEFAULT_MCP_TIMEOUT;
    this.pool = new McpPool(resourcesOf(ir, 'Server'), {
      secrets: options.secrets,
      connectTimeoutMs: options.mcpConnectTimeoutMs,
      logger: this.log,
      workdir: options.workdir,
    });
    for (const skill of resourcesOf(ir, 'Skill')) this.skills.set(skill.name, this.skillEntry(skill));
  }

  async definitionsFor(agent: string): Promise<ToolDefinition[]> {
    return [...(await this.offered(agent)).values()].map((e) => e.definition);
  }

  async call(agent: string, name: string, input: unknown, ctx: ToolContext): Promise<ToolResult> {
    const started = performance.now();
    const result = await this.attempt(agent, name, input, ctx);
    const line = {
      level: result.ok ? 'info' : 'warn',
      msg: 'tool call',
      agent,
      tool: name,
      call_id: ctx.callId,
      status: result.ok ? 'ok' : 'error',
      duration_ms: Math.round((performance.now() - started) * 10) / 10,
    };
    this.log(result.ok ? line : { ...line, error: result.error });
    return result;
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([this.pool.close(), this.options.sandbox?.close()]);
  }

  private async attempt(agent: string, name: string, input: unknown, ctx: ToolContext): Promise<ToolResult> {
    const { secrets } = this.options;
    try {
      if (this.closed) return { ok: false, error: `Tool "${name}" is not available: the runtime is shutting down.` };
      const entry = (await this.offered(agent)).get(name);
      if (!entry) {
        const offered = [...(await this.offered(agent)).keys()];
        return { ok: false, error: `Tool "${name}" is not available to agent "${agent}". Available tools: ${offered.length ? offered.join(', ') : 'none'}.` };
      }
      if (entry.inputSchema) {
        const check = this.validator.validate(entry.inputSchema, input);
        if (!check.ok)
          return { ok: false, error: `Invalid input for tool "${name}": ${check.message}. Fix the input to match the tool's input_schema and call it again.` };
      }
      let output = await runWithTimeout(entry.executor, input, ctx, `Tool "${name}"`, entry.timeoutMs);
      if (entry.outputSchema) {
        output = textAsOutput(output, entry.outputSchema);
        const check = this.validator.validate(entry.outputSchema, output);
        if (!check.ok) return { ok: false, error: secrets.redact(`Tool "${name}" returned output that does not match its output schema: ${check.message}.`) };
      }
      return { ok: true, output: secrets.redactor.redactDeep(output) };
    } catch (error) {
      return { ok: false, error: secrets.redact(describeFailure(name, error)) };
    }
  }

  /** The tools offered to an agent; cached once every server it needs has answered `tools/list`. */
  private async offered(agent: string): Promise<Map<string, Entry>> {
    const cached = this.offeredByAgent.get(agent);
    if (cached) return cached;
    const attrs = findResource(this.ir, 'Agent', agent)?.attributes;
    const offered = new Map<string, Entry>();
    if (!attrs) return offered;
    for (const skill of attrs.skills) {
      const entry = this.skills.get(skill);
      if (entry) offered.set(entry.definition.name, entry);
    }
    const servers = [...new Set(attrs.clients.flatMap((c) => findResource(this.ir, 'Client', c)?.attributes.servers ?? []))];
    const lists = await Promise.allSettled(servers.map((s) => this.discover(s)));
    let complete = true;
    lists.forEach((list, i) => {
      if (list.status === 'rejected') {
        complete = false;
        this.log({
          level: 'warn',
          msg: 'mcp tools/list failed; its tools are not offered for now',
          agent,
          server: servers[i],
          error: describeFailure(servers[i]!, list.reason),
        });
        return;
      }
      for (const entry of list.value) {
        if (offered.has(entry.definition.name))
          this.log({ level: 'warn', msg: 'tool name taken by a skill; client tool hidden', agent, tool: entry.definition.name });
        else offered.set(entry.definition.name, entry);
      }
    });
    if (complete) this.offeredByAgent.set(agent, offered);
    return offered;
  }

  private discover(server: string): Promise<Entry[]> {
    let pending = this.serverTools.get(server);
    if (!pending) {
      pending = this.pool.listTools(server).then((tools) =>
        tools.map((tool) => ({
          definition: {
            name: clientToolName(server, tool.name),
            description: tool.description ?? `Tool "${tool.name}" of MCP server "${server}".`,
            input_schema: tool.inputSchema,
          },
          timeoutMs: this.mcpTimeoutMs,
          executor: new McpExecutor(this.pool, server, tool.name, this.mcpTimeoutMs),
        })),
      );
      this.serverTools.set(server, pending);
      pending.catch(() => this.serverTools.delete(server));
    }
    return pending;
  }

  private skillEntry(skill: IRSkill): Entry {
    const { description, input_schema, output_schema, tool } = skill.attributes;
    for (const [which, schema] of [
      ['input', input_schema],
      ['output', output_schema],
    ] as const) {
      if (!schema) continue;
      try {
        this.validator.compile(schema);
      } catch (error) {
        throw new AgentSpecError(
          ErrorCode.ConfigError,
          `The ${which} schema of skill "${skill.name}" is not a valid JSON Schema: ${error instanceof Error ? error.message : String(error)}`,
          {
            cause: error,
            details: { skill: skill.name },
          },
        );
      }
    }
    const cap = this.options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT;
    const { secrets } = this.options;
    let executor: ToolExecutor;
    let timeoutMs: number;
    switch (tool.type) {
      case 'mcp':
        timeoutMs = this.mcpTimeoutMs;
        executor = new McpExecutor(this.pool, tool.server, tool.tool, timeoutMs);
        break;
      case 'http':
        timeoutMs = tool.timeout_ms;
        executor = new HttpExecutor(tool, secrets, cap);
        break;
      case 'command':
        timeoutMs = tool.timeout_ms;
        executor = new CommandExecutor(tool, secrets, cap, this.options.workdir);
        break;
      case 'inline':
        // the sandbox enforces the code's timeout; the registry's own fires a little later as a backstop
        timeoutMs = tool.timeout_ms + 2_000;
        executor = this.options.sandbox ? new InlineExecutor(tool, this.options.sandbox, secrets) : this.inlineExecutor(skill.name);
        break;
    }
    return {
      definition: { name: toToolName(skill.name), description, input_schema },
      inputSchema: input_schema,
      outputSchema: output_schema,
      timeoutMs,
      executor,
    };
  }

  /** Inline tools of a runtime without a sandbox: each call is an error result. */
  private inlineExecutor(skill: string): ToolExecutor {
    return {
      execute: () => {
        throw new AgentSpecError(ErrorCode.ToolError, `Inline tool "${skill}" cannot run: this runtime has no sandbox for inline code.`);
      },
    };
  }
}

function describeFailure(name: string, error: unknown): string {
  if (error instanceof AgentSpecError) return error.message;
  const message = error instanceof Error ? error.message : String(error);
  return `Tool "${name}" failed unexpectedly: ${message}`;
}
