/**
 * Runtime composition: the one place that wires a model provider, the tool
 * registry, the sandbox, the secret vault and the session store into
 * `Runtime.fromIR`. Every entry point (dev server, `serve`, Lambda,
 * containers) calls it, so they all run the same runtime.
 */
import { AgentSpecError, ErrorCode } from '../errors.js';
import { resourcesOf, type IRDocument } from '../ir/types.js';
import type { ModelProvider } from '../llm/types.js';
import { Runtime } from '../loop/runtime.js';
import type { AgentInfo, AgentRuntime, InvokeRequest, InvokeResult, RunEvent } from '../loop/types.js';
import type { Sandbox } from '../sandbox/types.js';
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
  /** default: the Anthropic provider (key read from ANTHROPIC_API_KEY at call time) */
  providerFor?: (provider: string) => ModelProvider;
  observer?: RuntimeObserver;
  /** default: a sandbox created when the package has inline tools */
  sandbox?: Sandbox;
  /** refuse to start when inline tools would run without full (bubblewrap) isolation */
  requireFullIsolation?: boolean;
  /** registers resolved secret values, so the caller's logger can redact them */
  redactor?: Redactor;
  /** the package's directory, where stdio MCP servers and command tools start (default: the working directory) */
  workdir?: string;
}

/** Builds the runtime for an IR document with every part wired in. */
export async function composeRuntime(ir: IRDocument, options: ComposeOptions = {}): Promise<AgentRuntime> {
  const vault = new SecretVault(ir, { ...options.secretResolvers, redactor: options.redactor ?? new Redactor() });
  const needsSandbox = resourcesOf(ir, 'Skill').some((s) => s.attributes.tool.type === 'inline');
  // Only packages with inline tools pay for the sandbox's probe and warm pool — and for loading its code.
  const ownSandbox = options.sandbox === undefined && needsSandbox ? (await import('../sandbox/index.js')).createSandbox() : undefined;
  const sandbox = options.sandbox ?? ownSandbox;
  if (options.requireFullIsolation && needsSandbox && sandbox && !sandbox.isolation.full) {
    await ownSandbox?.close();
    throw new AgentSpecError(
      ErrorCode.ConfigError,
      `Inline tools need full sandbox isolation, which is unavailable here (missing: ${sandbox.isolation.missing.join(', ')}).`,
      { details: { missing: sandbox.isolation.missing } },
    );
  }
  const tools = createToolRegistry(ir, {
    secrets: vault,
    ...(sandbox ? { sandbox } : {}),
    ...(options.requireFullIsolation ? { requireFullIsolation: true } : {}),
    ...(options.workdir ? { workdir: options.workdir } : {}),
  });
  const runtime = Runtime.fromIR(ir, {
    tools,
    sessions: options.sessions ?? new MemorySessionStore(),
    ...(options.providerFor ? { providerFor: options.providerFor } : {}),
    ...(options.observer ? { observer: options.observer } : {}),
  });
  return ownSandbox ? new WithSandbox(runtime, ownSandbox) : runtime;
}

/** A runtime that also stops the sandbox it was composed with. */
class WithSandbox implements AgentRuntime {
  constructor(
    private readonly inner: AgentRuntime,
    private readonly sandbox: Sandbox,
  ) {}

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

  async close(): Promise<void> {
    try {
      await this.inner.close();
    } finally {
      await this.sandbox.close();
    }
  }
}
