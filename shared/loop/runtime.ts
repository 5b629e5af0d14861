/**
 * The runtime: an IR's agents made invocable. `invoke` and `stream` share one
 * code path (`execute`), which renders the prompt, loads the session, runs
 * the agent's strategy under its limits and error policy, and saves the
 * session. Nested invocations (delegates, router targets, fallbacks) go
 * through `runAgent` too, with their own context linked to the caller's.
 * A run that reaches a call needing approval stops with a checkpoint
 * (`waiting`); `resume` goes on from it through `runAgent` as well, with
 * the limits the checkpoint spent.
 */
import { randomUUID } from 'node:crypto';
import { definedOnly } from '../defined.js';
import { AgentSpecError, ErrorCode, toAgentSpecError } from '../errors.js';
import { promptVariables } from '../ir/prompt-variables.js';
import { resourcesOf, type IRDocument, type ScalarValue } from '../ir/types.js';
import { parseModel } from '../llm/model-string.js';
import { createProviderFor } from '../llm/providers.js';
import type { Message, ModelProvider, ToolDefinition } from '../llm/types.js';
import { MemorySessionStore } from '../sessions/index.js';
import type { SessionStore } from '../sessions/types.js';
import { Redactor } from '../secrets/redactor.js';
import { NOOP_OBSERVER, type RuntimeObserver } from '../telemetry/events.js';
import type { ToolRegistry } from '../tools/types.js';
import type { RequestScope } from './agent-answer.js';
import { compileAgent } from './compile-agent.js';
import { agentConfig, type AgentConfig } from './config-params.js';
import { abortReason, createDeadline } from './deadline.js';
import { streamRun } from './event-stream.js';
import { TurnCounter } from './limits.js';
import { userText } from './messages.js';
import { conversationForFallback, shouldFallback } from './on-error.js';
import { renderPrompt } from './prompt-template.js';
import type { AgentOutcome, CompiledAgent, Emit, NestedRunOptions, RunContext, RunHost } from './run-context.js';
import { IGNORE_EVENTS } from './run-context.js';
import { loadConversation, saveTurn } from './session-turn.js';
import { RunPolicy } from './run-policy.js';
import { addTokens, TokenMeter } from './token-meter.js';
import type { AgentInfo, AgentRuntime, InvokeRequest, InvokeResult, RunEvent } from './types.js';
import type { ApprovalDecision, Checkpoint } from '../runs/types.js';
import { ApprovalPolicy } from './approval-policy.js';
import { RunPaused, RunWaitingError } from './approval-pause.js';
import { CHECKPOINT_FORMAT, readCheckpoint, writeCheckpoint, type RunCheckpoint } from './checkpoint.js';
import { continuation, settle, type Continuation } from './resume-turn.js';

export interface RuntimeOptions {
  /** the model provider for a provider name (`anthropic`, `openai`, `ollama`); default: `createProviderFor` */
  providerFor?: (provider: string) => ModelProvider;
  /** default: a registry with no tools */
  tools?: ToolRegistry;
  /** default: a new in-memory store */
  sessions?: SessionStore;
  observer?: RuntimeObserver;
  /** how deep delegation may nest (default 3) */
  maxDelegationDepth?: number;
  /** `max_tokens` asked of each model call, lowered to fit the budget (default 4096) */
  maxTokensPerCall?: number;
  /** clock in epoch milliseconds (default `Date.now`) */
  now?: () => number;
  /** where `AGENTSPEC_<AGENT>_<PARAM>` config values and `AGENTSPEC_APPROVAL_<SKILL>` overrides are read, once (default `process.env`) */
  env?: Readonly<Record<string, string | undefined>>;
  /** registers secret config values, so logs and results can redact them (default: a redactor of the runtime's own) */
  redactor?: Redactor;
}

const DEFAULT_MAX_TOKENS = 4096;
const DEFAULT_DELEGATION_DEPTH = 3;

/** A registry offering no tool: every call is an error result for the model. */
const NO_TOOLS: ToolRegistry = {
  definitionsFor: async () => [],
  call: async (_agent, name) => ({ ok: false, error: `unknown tool "${name}"` }),
  close: async () => {},
};

interface RunAgentOptions {
  signal: AbortSignal | undefined;
  depth: number;
  meter: TokenMeter;
  emit: Emit;
  variables: Record<string, ScalarValue> | undefined;
  /** the caller's config and session (the invoked agent only; nested agents resolve their own config) */
  request: RequestScope | undefined;
  parentInvocationId?: string;
  /** a resumed run: what goes on in place of the strategy, and what the checkpoint had spent */
  resume?: { continuation: Continuation; spent: RunCheckpoint['spent'] };
}

/** What a checkpoint keeps of the request besides the conversation. */
interface RequestMeta {
  turnFrom: number;
  sessionId: string | undefined;
  variables: Record<string, ScalarValue> | undefined;
  config: Record<string, unknown> | undefined;
}

export class Runtime implements AgentRuntime, RunHost {
  readonly sessions: SessionStore;
  readonly tools: ToolRegistry;
  readonly observer: RuntimeObserver;
  readonly now: () => number;
  readonly maxDelegationDepth: number;
  readonly maxTokensPerCall: number;
  readonly redactor: Redactor;
  readonly policy: RunPolicy;
  readonly approvals: ApprovalPolicy;
  private readonly compiled = new Map<string, CompiledAgent>();
  private readonly configs = new Map<string, AgentConfig>();
  private readonly providers = new Map<string, ModelProvider>();
  private readonly providerFor: (provider: string) => ModelProvider;
  /** registry definitions → those plus an agent's hand-off tools, so the list (and its size estimate) is built once */
  private readonly offered = new WeakMap<ToolDefinition[], Map<string, ToolDefinition[]>>();

  private constructor(
    readonly ir: IRDocument,
    options: RuntimeOptions,
  ) {
    this.providerFor = options.providerFor ?? createProviderFor;
    this.tools = options.tools ?? NO_TOOLS;
    this.sessions = options.sessions ?? new MemorySessionStore();
    this.observer = options.observer ?? NOOP_OBSERVER;
    this.now = options.now ?? Date.now;
    this.maxDelegationDepth = options.maxDelegationDepth ?? DEFAULT_DELEGATION_DEPTH;
    this.maxTokensPerCall = options.maxTokensPerCall ?? DEFAULT_MAX_TOKENS;
    this.redactor = options.redactor ?? new Redactor();
    this.approvals = new ApprovalPolicy(ir, options.env ?? process.env);
    for (const agent of resourcesOf(ir, 'Agent')) {
      const compiled = compileAgent(ir, agent);
      this.compiled.set(agent.name, compiled);
      this.configs.set(agent.name, agentConfig(agent, options.env ?? process.env, this.redactor, compiled.template));
    }
    this.policy = new RunPolicy(ir, this.compiled.values(), { sessions: this.sessions, now: this.now, providerFor: this.providerFor });
  }

  /** Builds a runtime for the agents of an IR document. */
  static fromIR(ir: IRDocument, options: RuntimeOptions = {}): Runtime {
    return new Runtime(ir, options);
  }

  agents(): AgentInfo[] {
    return [...this.compiled.values()].map((agent) => ({
      name: agent.name,
      model: agent.attrs.model,
      strategy: agent.attrs.strategy,
      skills: [...agent.attrs.skills],
      variables: promptVariables(this.ir, agent.name),
      counters: { ...agent.counters },
    }));
  }

  hasAgent(name: string): boolean {
    return this.compiled.has(name);
  }

  invoke(agent: string, request: InvokeRequest): Promise<InvokeResult> {
    return this.execute(agent, request, IGNORE_EVENTS);
  }

  stream(agent: string, request: InvokeRequest): AsyncIterable<RunEvent> {
    return waitingAware((emit, signal) => this.execute(agent, { ...request, signal }, emit), request.signal);
  }

  resume(checkpoint: Checkpoint, decisions: readonly ApprovalDecision[], signal?: AbortSignal): AsyncIterable<RunEvent> {
    return waitingAware((emit, runSignal) => this.continueRun(checkpoint, decisions, runSignal, emit), signal);
  }

  async close(): Promise<void> {
    const results = await Promise.allSettled([this.tools.close(), this.sessions.close()]);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw toAgentSpecError(failed.reason);
  }

  /** RunHost: a delegate, router target or fallback, one level deeper than `parent`. */
  runNested(agent: string, conversation: Message[], options: NestedRunOptions): Promise<AgentOutcome> {
    const { parent } = options;
    const target = this.agentOrThrow(agent);
    return this.runAgent(target, conversation, {
      signal: parent.signal,
      depth: parent.depth + 1,
      meter: new TokenMeter(target.attrs.token_budget, parent.meter),
      emit: options.emit,
      variables: parent.variables,
      request: undefined,
      parentInvocationId: parent.invocationId,
    });
  }

  private async execute(name: string, request: InvokeRequest, emit: Emit): Promise<InvokeResult> {
    const started = this.now();
    const agent = this.agentOrThrow(name);
    if (typeof request.message !== 'string' || request.message.length === 0) {
      throw new AgentSpecError(ErrorCode.InvalidRequest, 'The request needs a non-empty "message".');
    }
    const config = this.configs.get(name)!.resolve(request.config);
    agent.counters.invocations++;
    try {
      const meter = new TokenMeter(agent.attrs.token_budget);
      const userMessage = userText(request.message);
      const session =
        request.sessionId === undefined
          ? undefined
          : await loadConversation(this.sessions, agent, this.providerOf(agent), request.sessionId, meter, request.signal);
      const conversation = session ? [...session.history, userMessage] : [userMessage];
      const meta: RequestMeta = { turnFrom: conversation.length - 1, sessionId: request.sessionId, variables: request.variables, config: request.config };
      const outcome = await this.runAgent(agent, conversation, {
        signal: request.signal,
        depth: 0,
        meter,
        emit,
        variables: request.variables,
        request: { config, session: request.sessionId === undefined ? {} : { id: request.sessionId } },
      }).catch((error: unknown) => {
        throw error instanceof RunPaused ? this.waiting(agent, error, meta) : error;
      });
      if (session) await saveTurn(this.sessions, agent, session, [userMessage, ...outcome.added]);
      return this.resultOf(agent, outcome, this.now() - started, session?.id);
    } catch (error) {
      if (!(error instanceof RunWaitingError)) agent.counters.errors++;
      throw error;
    }
  }

  /** A resumed run: the checkpoint checked, its decisions matched, then the loop from where it paused. */
  private async continueRun(value: Checkpoint, decisions: readonly ApprovalDecision[], signal: AbortSignal, emit: Emit): Promise<InvokeResult> {
    const started = this.now();
    const checkpoint = readCheckpoint(value);
    const agent = this.agentOrThrow(checkpoint.agent);
    const settled = settle(checkpoint, decisions, this.ir, started);
    const config = this.configs.get(agent.name)!.resolve(checkpoint.config);
    try {
      const meter = new TokenMeter(agent.attrs.token_budget);
      addTokens(meter.usage, checkpoint.spent.tokens);
      const conversation = structuredClone(checkpoint.messages);
      const meta: RequestMeta = {
        turnFrom: checkpoint.turn_from,
        sessionId: checkpoint.session_id,
        variables: checkpoint.variables,
        config: checkpoint.config,
      };
      const outcome = await this.runAgent(agent, conversation, {
        signal,
        depth: 0,
        meter,
        emit,
        variables: checkpoint.variables,
        request: { config, session: checkpoint.session_id === undefined ? {} : { id: checkpoint.session_id } },
        resume: { continuation: continuation(checkpoint, settled), spent: checkpoint.spent },
      }).catch((error: unknown) => {
        throw error instanceof RunPaused ? this.waiting(agent, error, meta) : error;
      });
      const sessionId = checkpoint.session_id;
      if (sessionId !== undefined) {
        // the turn as the session keeps it: the user's message and everything since, before and after the pause
        const turn = [...conversation.slice(checkpoint.turn_from, checkpoint.messages.length), ...outcome.added];
        await saveTurn(this.sessions, agent, { id: sessionId, history: [] }, turn);
      }
      return this.resultOf(agent, outcome, checkpoint.spent.elapsed_ms + this.now() - started, sessionId);
    } catch (error) {
      if (!(error instanceof RunWaitingError)) agent.counters.errors++;
      throw error;
    }
  }

  private resultOf(agent: CompiledAgent, outcome: AgentOutcome, durationMs: number, sessionId: string | undefined): InvokeResult {
    agent.counters.tokens += outcome.tokens.total;
    const result: InvokeResult = {
      output: outcome.output,
      tool_calls: outcome.toolCalls,
      tokens: outcome.tokens,
      turns: outcome.turns,
      duration_ms: durationMs,
    };
    if (sessionId !== undefined) result.session_id = sessionId;
    if (outcome.warnings) result.validation = { warnings: outcome.warnings };
    Object.assign(result, outcome.policy);
    return result;
  }

  /** The checkpoint of a paused run, as the error `invoke` throws (`stream` turns it into the `waiting` event). */
  private waiting(agent: CompiledAgent, paused: RunPaused, meta: RequestMeta): RunWaitingError {
    const checkpoint: RunCheckpoint = {
      format: CHECKPOINT_FORMAT,
      agent: agent.name,
      messages: paused.messages,
      turn_from: meta.turnFrom,
      results: paused.results,
      approvals: paused.approvals,
      spent: paused.spent!,
      ...definedOnly({ session_id: meta.sessionId, variables: meta.variables, config: meta.config }),
    };
    return new RunWaitingError(paused.approvals, writeCheckpoint(checkpoint, this.redactor));
  }

  /** One agent invocation: its context, deadline, strategy, telemetry and `on_error` policy. */
  private async runAgent(agent: CompiledAgent, conversation: Message[], options: RunAgentOptions): Promise<AgentOutcome> {
    const config = this.configs.get(agent.name)!;
    const request = options.request ?? { config: config.resolve(undefined), session: {} };
    const system = agent.template ? renderPrompt(agent.template, config.promptVariables(options.variables, request.config)) : undefined;
    const provider = this.providerOf(agent);
    const prior = options.resume?.spent;
    // a resumed run has the time its checkpoint had left
    const deadline = createDeadline(Math.max(1, agent.attrs.timeout_ms - (prior?.elapsed_ms ?? 0)), options.signal);
    const invocationId = randomUUID();
    const start = this.now();
    this.observer.record({
      type: 'invocation_start',
      invocation_id: invocationId,
      agent: agent.name,
      start_ms: start,
      parent_invocation_id: options.parentInvocationId,
    });
    const ctx: RunContext = {
      host: this,
      agent,
      system,
      provider,
      tools: [],
      signal: deadline.signal,
      meter: options.meter,
      turns: new TurnCounter(agent.attrs.max_turns),
      toolCalls: [],
      invocationId,
      depth: options.depth,
      variables: options.variables,
      emit: options.emit,
      progress: { emitted: '', lastText: '' },
      transcript: conversation,
    };
    if (prior) {
      ctx.turns.count = prior.turns;
      ctx.toolCalls.push(...prior.tool_calls);
      this.policy.restoreModelLink(ctx, prior.model_link);
    }
    let failure: AgentSpecError | undefined;
    try {
      ctx.tools = await this.toolsFor(agent);
      const result = await this.policy.answer(ctx, conversation, request, options.resume?.continuation);
      const outcome: AgentOutcome = {
        output: result.output,
        added: result.added,
        tokens: options.meter.usage,
        turns: ctx.turns.count,
        toolCalls: ctx.toolCalls,
      };
      if (result.warnings) outcome.warnings = result.warnings;
      if (result.policy) outcome.policy = result.policy;
      return outcome;
    } catch (error) {
      if (error instanceof RunPaused && !deadline.signal.aborted) {
        error.spent = {
          turns: ctx.turns.count,
          tokens: { ...options.meter.usage },
          tool_calls: [...ctx.toolCalls],
          elapsed_ms: (prior?.elapsed_ms ?? 0) + this.now() - start,
          model_link: this.policy.modelLink(ctx),
        };
        throw error;
      }
      failure = deadline.signal.aborted ? abortReason(deadline.signal) : toAgentSpecError(error);
      // stop what the failed run still has going (other map-reduce parts, tools) before anything else
      deadline.dispose(true);
      if (shouldFallback(ctx, failure)) return await this.fallback(ctx, failure, options);
      throw withProgress(failure, ctx);
    } finally {
      deadline.dispose(failure !== undefined);
      this.observer.record({
        type: 'invocation_end',
        invocation_id: invocationId,
        agent: agent.name,
        status: failure ? 'error' : 'ok',
        error_code: failure?.code,
        start_ms: start,
        duration_ms: this.now() - start,
        tokens: { ...options.meter.usage },
      });
    }
  }

  /** Hands a failed run to the agent's fallback with the conversation so far. */
  private async fallback(failed: RunContext, failure: AgentSpecError, options: RunAgentOptions): Promise<AgentOutcome> {
    const target = this.agentOrThrow(failed.agent.attrs.fallback!);
    if (options.depth + 1 > this.maxDelegationDepth) throw withProgress(failure, failed);
    // the failed run's meter may be spent: the fallback gets its own budget under the same parent
    const outcome = await this.runAgent(target, conversationForFallback(failed.transcript, failure), {
      ...options,
      depth: options.depth + 1,
      request: undefined,
      meter: new TokenMeter(target.attrs.token_budget, options.meter.parent),
      parentInvocationId: failed.invocationId,
    });
    const tokens = { ...options.meter.usage };
    addTokens(tokens, outcome.tokens);
    return { ...outcome, tokens, turns: failed.turns.count + outcome.turns, toolCalls: [...failed.toolCalls, ...outcome.toolCalls] };
  }

  private agentOrThrow(name: string): CompiledAgent {
    const agent = this.compiled.get(name);
    if (!agent) throw new AgentSpecError(ErrorCode.NotFound, `No agent named "${name}".`, { details: { agent: name } });
    return agent;
  }

  private providerOf(agent: CompiledAgent): ModelProvider {
    // from the model string as written, with this process's environment: a bare id no name rule claims may go to Ollama or OpenAI
    const name = parseModel(agent.attrs.model, process.env).provider;
    let provider = this.providers.get(name);
    if (!provider) {
      provider = this.providerFor(name);
      this.providers.set(name, provider);
    }
    return provider;
  }

  private async toolsFor(agent: CompiledAgent): Promise<ToolDefinition[]> {
    const defs = await this.tools.definitionsFor(agent.name);
    if (agent.delegateTools.length === 0) return defs;
    let byAgent = this.offered.get(defs);
    if (!byAgent) this.offered.set(defs, (byAgent = new Map()));
    let tools = byAgent.get(agent.name);
    if (!tools) byAgent.set(agent.name, (tools = [...defs, ...agent.delegateTools]));
    return tools;
  }
}

/**
 * `streamRun` with a paused run's end: the `waiting` event (approvals and
 * checkpoint) in place of the error `invoke` would throw.
 */
async function* waitingAware(
  start: (emit: Emit, signal: AbortSignal) => Promise<InvokeResult>,
  signal?: AbortSignal,
): AsyncGenerator<RunEvent, void, undefined> {
  let waiting: RunWaitingError | undefined;
  const run = (emit: Emit, runSignal: AbortSignal) =>
    start(emit, runSignal).catch((error: unknown) => {
      if (error instanceof RunWaitingError) waiting = error;
      throw error;
    });
  for await (const event of streamRun(run, signal)) {
    if (event.type === 'error' && waiting) {
      yield { type: 'waiting', data: { approvals: waiting.approvals, checkpoint: waiting.checkpoint } };
      return;
    }
    yield event;
  }
}

/** The failure with what the run had done: partial output, tokens and turns so far. */
function withProgress(error: AgentSpecError, ctx: RunContext): AgentSpecError {
  return new AgentSpecError(error.code, error.message, {
    cause: error,
    details: {
      ...error.details,
      partial_output: ctx.progress.emitted || ctx.progress.lastText,
      tokens: { ...ctx.meter.usage },
      turns: ctx.turns.count,
    },
  });
}
