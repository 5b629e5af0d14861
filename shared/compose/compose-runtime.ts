/**
 * Runtime composition: the one place that wires a model provider, the tool
 * registry, the sandbox, the secret vault and the session store into
 * `Runtime.fromIR`. Every entry point (dev server, `serve`, Lambda,
 * containers) calls it, so they all run the same runtime.
 */
import type { ApprovalDecision, Checkpoint } from '../runs/types.js';
import { resourcesOf, type IRDocument } from '../ir/types.js';
import type { ModelProvider } from '../llm/types.js';
import { Runtime } from '../loop/runtime.js';
import type { AgentInfo, AgentRuntime, InvokeRequest, InvokeResult, RunEvent } from '../loop/types.js';
import type { Sandbox, SandboxIsolation } from '../sandbox/types.js';
import { Redactor } from '../secrets/redactor.js';
import type { SecretResolver } from '../secrets/types.js';
import { SecretVault } from '../secrets/vault.js';
import { MemorySessionStore } from '../sessions/index.js';
import type { SessionStore } from '../sessions/types.js';
import type { RuntimeObserver } from '../telemetry/events.js';
import { createToolRegistry } from '../tools/index.js';

export interface ComposeOptions {
  /** default: in-memory sessions */
  sessions?: SessionStore;
  /** resolvers for `env(...)` and `store(...)` secrets; default: process env and the local secrets file */
  secretResolvers?: { env?: SecretResolver; store?: SecretResolver };
  /** default: createProviderFor (Anthropic, OpenAI, Ollama; keys read from the environment at call time) */
  providerFor?: (provider: string) => ModelProvider;
  observer?: RuntimeObserver;
  /** default: a sandbox created when the package has inline tools */
  sandbox?: Sandbox;
  /** registers resolved secret values, so the caller's logger can redact them */
  redactor?: Redactor;
  /** the package's directory, where stdio MCP servers and command tools start (default: the working directory) */
  workdir?: string;
  /** structured log lines of the sandbox and the tool registry (redacted by the registry; default: the sandbox's own stderr line, none for tool calls) */
  logger?: (line: Record<string, unknown>) => void;
}

/** Builds the runtime for an IR document with every part wired in. */
export async function composeRuntime(ir: IRDocument, options: ComposeOptions = {}): Promise<AgentRuntime> {
  const vault = new SecretVault(ir, { ...options.secretResolvers, redactor: options.redactor ?? new Redactor() });
  const inline = resourcesOf(ir, 'Skill').flatMap((s) => (s.attributes.tool.type === 'inline' ? [s.attributes.tool] : []));
  // Only packages with inline tools pay for the sandbox's probe and warm pool — and for loading its code.
  // The pool pre-starts only the languages (and javascript memory sizes) the package uses.
  const ownSandbox =
    options.sandbox === undefined && inline.length > 0
      ? (await import('../sandbox/index.js')).createSandbox({
          ...(options.logger ? { logger: options.logger } : {}),
          warmPython: inline.some((tool) => tool.language === 'python'),
          warmJavascriptMemory: [...new Set(inline.filter((tool) => tool.language === 'javascript').map((tool) => tool.memory_bytes))].slice(0, 3),
          warmBash: inline.some((tool) => tool.language === 'bash'),
        })
      : undefined;
  const sandbox = options.sandbox ?? ownSandbox;
  const tools = createToolRegistry(ir, {
    secrets: vault,
    ...(sandbox ? { sandbox } : {}),
    ...(options.workdir ? { workdir: options.workdir } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
  });
  const runtime = Runtime.fromIR(ir, {
    tools,
    sessions: options.sessions ?? new MemorySessionStore(),
    // secret config values join the vault's redactor, so log lines lose them as results do
    redactor: vault.redactor,
    ...(options.providerFor ? { providerFor: options.providerFor } : {}),
    ...(options.observer ? { observer: options.observer } : {}),
  });
  return inline.length > 0 && sandbox ? new WithSandbox(runtime, sandbox, ownSandbox !== undefined) : runtime;
}

/** A runtime whose inline tools run in a sandbox: it reports the sandbox's isolation, and stops the sandbox it was composed with. */
class WithSandbox implements AgentRuntime {
  constructor(
    private readonly inner: AgentRuntime,
    private readonly sandbox: Sandbox,
    private readonly ownsSandbox: boolean,
  ) {}

  get isolation(): SandboxIsolation {
    return this.sandbox.isolation;
  }

  get ir(): IRDocument {
    return this.inner.ir;
  }

  get sessions(): SessionStore {
    return this.inner.sessions;
  }

  agents(): AgentInfo[] {
    return this.inner.agents();
  }

  hasAgent(name: string): boolean {
    return this.inner.hasAgent(name);
  }

  invoke(agent: string, request: InvokeRequest): Promise<InvokeResult> {
    return this.inner.invoke(agent, request);
  }

  stream(agent: string, request: InvokeRequest): AsyncIterable<RunEvent> {
    return this.inner.stream(agent, request);
  }

  resume(checkpoint: Checkpoint, decisions: readonly ApprovalDecision[], signal?: AbortSignal): AsyncIterable<RunEvent> {
    return this.inner.resume(checkpoint, decisions, signal);
  }

  async close(): Promise<void> {
    try {
      await this.inner.close();
    } finally {
      if (this.ownsSandbox) await this.sandbox.close();
    }
  }
}
