/**
 * A scripted `AgentRuntime` for HTTP and pipeline tests: each agent is an
 * async generator of run events (text, tool calls); the fake builds the invoke
 * result, the `done` event, sessions and telemetry events from them, honours
 * the abort signal like the real runtime, and records every call. A script
 * that yields `approval_required` events ends `waiting` with a fake
 * checkpoint; `resume` runs the `resume` script on it (default: a text
 * naming each decision).
 */
import { randomUUID } from 'node:crypto';
import { AgentSpecError, ErrorCode, toAgentSpecError } from '../../shared/errors.js';
import type { IRAgent, IRDocument, IRPipeline, IRStep } from '../../shared/ir/types.js';
import type { ApprovalDecision, Checkpoint, PendingApproval } from '../../shared/runs/types.js';
import type { AgentInfo, AgentRuntime, InvokeRequest, InvokeResult, RunEvent, ToolCallRecord } from '../../shared/loop/types.js';
import type { Session, SessionStore } from '../../shared/sessions/types.js';
import { NOOP_OBSERVER, type RuntimeObserver } from '../../shared/telemetry/events.js';
import { agent } from './ir-builder.js';

/** What a scripted agent yields: text and tool-call events (the fake adds `done`). Throw to fail the run. */
export type ScriptEvent = Extract<RunEvent, { type: 'text' | 'tool_call_start' | 'tool_call_end' | 'approval_required' }>;
export type AgentScript = (request: InvokeRequest & { signal: AbortSignal }, agent: string) => AsyncIterable<ScriptEvent>;
/** What a resumed fake run does: its decisions and the fake checkpoint it goes on from. */
export type ResumeScript = (decisions: readonly ApprovalDecision[], checkpoint: FakeCheckpoint, signal: AbortSignal) => AsyncIterable<ScriptEvent>;

/** The checkpoint a paused fake run hands out. */
export interface FakeCheckpoint extends Checkpoint {
  fake: true;
  agent: string;
  message: string;
  approvals: PendingApproval[];
}

export interface FakeRuntimeOptions {
  /** agent name → script; default: one agent `echo` answering `echo: <message>` */
  agents?: Record<string, AgentScript>;
  pipelines?: IRPipeline[];
  observer?: RuntimeObserver;
  /** tokens reported per run (input, output) */
  tokensPerRun?: { input: number; output: number };
  /** what `resume` runs; default: the text `resumed: <approval>=<decision>, …` */
  resume?: ResumeScript;
}

export interface RecordedCall {
  agent: string;
  request: InvokeRequest;
  /** set when the run's signal aborted */
  aborted: boolean;
  finished: boolean;
}

/** A pending approval of `skill` with `input`, expiring in `seconds` (default an hour). */
export function pendingApproval(skill: string, input: unknown, seconds = 3600): PendingApproval {
  return { id: randomUUID(), tool_call_id: `toolu_${randomUUID().slice(0, 8)}`, skill, input, expires_at: new Date(Date.now() + seconds * 1000).toISOString() };
}

/** An agent that says `text`, then asks for approval of each of `approvals` and pauses. */
export function pausingScript(approvals: () => PendingApproval[], text = 'checking first'): AgentScript {
  return async function* () {
    yield { type: 'text', data: { text } };
    for (const approval of approvals()) yield { type: 'approval_required', data: approval };
  };
}

const defaultResume: ResumeScript = async function* (decisions) {
  yield { type: 'text', data: { text: `resumed: ${decisions.map((d) => `${d.approval}=${d.decision}`).join(', ')}` } };
};

/** An agent answering `echo: <message>`. */
export const echoScript: AgentScript = async function* (request) {
  yield { type: 'text', data: { text: `echo: ${request.message}` } };
};

/** An agent that streams `parts` as text deltas after `delayMs` each. */
export function textScript(parts: string[], delayMs = 0): AgentScript {
  return async function* (request) {
    for (const text of parts) {
      if (delayMs) await sleep(delayMs, request.signal);
      yield { type: 'text', data: { text } };
    }
  };
}

/** An agent that waits until aborted (or `ms` passes) and then answers. */
export function slowScript(ms: number, answer = 'slow answer'): AgentScript {
  return async function* (request) {
    await sleep(ms, request.signal);
    yield { type: 'text', data: { text: answer } };
  };
}

/** An agent that fails with `error`. */
export function failingScript(error: AgentSpecError, afterMs = 0): AgentScript {
  return async function* (request) {
    if (afterMs) await sleep(afterMs, request.signal);
    if (error) throw error;
    yield* [];
  };
}

/** Resolves after `ms`, or rejects with a `cancelled` error when `signal` aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new AgentSpecError(ErrorCode.Cancelled, 'cancelled'));
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(new AgentSpecError(ErrorCode.Cancelled, 'cancelled'));
      },
      { once: true },
    );
  });
}

/** A minimal pipeline resource. */
export function pipelineOf(name: string, steps: (Partial<IRStep> & { name: string; agent: string })[]): IRPipeline {
  return {
    kind: 'Pipeline',
    name,
    fqn: `test/Pipeline/${name}`,
    hash: name,
    attributes: { steps: steps.map((s) => ({ parallel: false, depends_on: [], ...s })) },
  };
}

export class FakeRuntime implements AgentRuntime {
  readonly ir: IRDocument;
  readonly sessions: MapSessionStore = new MapSessionStore();
  readonly calls: RecordedCall[] = [];
  /** every `resume` call, in order */
  readonly resumes: { checkpoint: Checkpoint; decisions: readonly ApprovalDecision[] }[] = [];
  closed = false;
  private readonly resumeScript: ResumeScript;
  private readonly scripts: Record<string, AgentScript>;
  private readonly observer: RuntimeObserver;
  private readonly tokens: { input: number; output: number };

  constructor(options: FakeRuntimeOptions = {}) {
    this.scripts = options.agents ?? { echo: echoScript };
    this.observer = options.observer ?? NOOP_OBSERVER;
    this.tokens = options.tokensPerRun ?? { input: 10, output: 5 };
    this.resumeScript = options.resume ?? defaultResume;
    this.ir = {
      ir_version: '1',
      package: { name: 'test', version: '1.0.0', lang: '2.0' },
      hash: 'test',
      resources: [...Object.keys(this.scripts).map(agentResource), ...(options.pipelines ?? [])],
    };
  }

  agents(): AgentInfo[] {
    return Object.keys(this.scripts).map((name) => ({
      name,
      model: 'claude-test',
      strategy: 'react',
      skills: [],
      variables: [],
      counters: { invocations: 0, errors: 0, tokens: 0 },
    }));
  }

  hasAgent(name: string): boolean {
    return Object.hasOwn(this.scripts, name);
  }

  async invoke(agent: string, request: InvokeRequest): Promise<InvokeResult> {
    let last: RunEvent | undefined;
    for await (const event of this.stream(agent, request)) last = event;
    if (last?.type === 'done') return last.data;
    const error = last?.type === 'error' ? last.data : { error: ErrorCode.InternalError, message: 'no result' };
    throw new AgentSpecError(error.error, error.message, { details: error.details ?? {} });
  }

  stream(agent: string, request: InvokeRequest): AsyncIterable<RunEvent> {
    return this.run(agent, request, this.scripts[agent]);
  }

  resume(checkpoint: Checkpoint, decisions: readonly ApprovalDecision[], signal?: AbortSignal): AsyncIterable<RunEvent> {
    this.resumes.push({ checkpoint, decisions });
    const fake = checkpoint as FakeCheckpoint;
    if (fake.fake !== true || typeof fake.agent !== 'string') {
      return (async function* (): AsyncIterable<RunEvent> {
        yield { type: 'error', data: { error: ErrorCode.InvalidRequest, message: 'The checkpoint cannot be resumed: it is not a fake checkpoint.' } };
      })();
    }
    const script = this.resumeScript;
    const request: InvokeRequest = signal ? { message: fake.message, signal } : { message: fake.message };
    return this.run(fake.agent, request, (r) => script(decisions, fake, r.signal));
  }

  private async *run(agent: string, request: InvokeRequest, script: AgentScript | undefined): AsyncIterable<RunEvent> {
    const call: RecordedCall = { agent, request, aborted: false, finished: false };
    this.calls.push(call);
    const controller = new AbortController();
    const onAbort = () => {
      call.aborted = true;
      controller.abort(request.signal?.reason);
    };
    request.signal?.addEventListener('abort', onAbort, { once: true });
    if (request.signal?.aborted) onAbort();
    const start = Date.now();
    const invocation_id = randomUUID();
    this.observer.record({ type: 'invocation_start', invocation_id, agent, start_ms: start });
    const tokens = { input: this.tokens.input, output: this.tokens.output, cache_read: 0, cache_write: 0, total: this.tokens.input + this.tokens.output };
    try {
      if (!script) throw new AgentSpecError(ErrorCode.NotFound, `No agent named "${agent}".`);
      let session: Session | undefined;
      if (request.sessionId !== undefined) {
        session = await this.sessions.get(agent, request.sessionId);
        if (!session) throw new AgentSpecError(ErrorCode.NotFound, `No session "${request.sessionId}".`);
      }
      let output = '';
      const toolCalls: ToolCallRecord[] = [];
      const approvals: PendingApproval[] = [];
      for await (const event of script({ ...request, signal: controller.signal }, agent)) {
        if (controller.signal.aborted) throw new AgentSpecError(ErrorCode.Cancelled, 'cancelled');
        if (event.type === 'text') output += event.data.text;
        if (event.type === 'approval_required') approvals.push(event.data);
        if (event.type === 'tool_call_end') {
          toolCalls.push(event.data);
          this.observer.record({
            type: 'tool_call',
            invocation_id,
            agent,
            tool: event.data.name,
            call_id: event.data.id,
            status: event.data.status,
            start_ms: Date.now(),
            duration_ms: event.data.duration_ms,
          });
        }
        yield event;
      }
      if (approvals.length > 0) {
        call.finished = true;
        const checkpoint: FakeCheckpoint = { fake: true, agent, message: request.message, approvals };
        yield { type: 'waiting', data: { approvals, checkpoint } };
        return;
      }
      if (session) {
        session.messages.push(
          { role: 'user', content: [{ type: 'text', text: request.message }] },
          { role: 'assistant', content: [{ type: 'text', text: output }] },
        );
        await this.sessions.put(session, session.version);
      }
      const result: InvokeResult = {
        output,
        tool_calls: toolCalls,
        tokens,
        turns: 1,
        duration_ms: Date.now() - start,
        ...(session ? { session_id: session.id } : {}),
      };
      this.observer.record({ type: 'invocation_end', invocation_id, agent, status: 'ok', start_ms: start, duration_ms: result.duration_ms, tokens });
      call.finished = true;
      yield { type: 'done', data: result };
    } catch (thrown) {
      const error = toAgentSpecError(thrown);
      this.observer.record({
        type: 'invocation_end',
        invocation_id,
        agent,
        status: 'error',
        error_code: error.code,
        start_ms: start,
        duration_ms: Date.now() - start,
        tokens,
      });
      yield { type: 'error', data: error.toJSON() };
    } finally {
      request.signal?.removeEventListener('abort', onAbort);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

/** A plain in-memory session store (the fake must not depend on the real one). */
export class MapSessionStore implements SessionStore {
  private readonly map = new Map<string, Session>();

  async create(agent: string): Promise<Session> {
    const now = new Date().toISOString();
    const session: Session = { id: randomUUID(), agent, created_at: now, updated_at: now, version: 0, messages: [] };
    this.map.set(`${agent}/${session.id}`, session);
    return structuredClone(session);
  }

  async get(agent: string, id: string): Promise<Session | undefined> {
    const s = this.map.get(`${agent}/${id}`);
    return s ? structuredClone(s) : undefined;
  }

  async put(session: Session, expectedVersion: number): Promise<Session> {
    const key = `${session.agent}/${session.id}`;
    const stored = this.map.get(key);
    if (!stored) throw new AgentSpecError(ErrorCode.NotFound, 'gone');
    if (stored.version !== expectedVersion) throw new AgentSpecError(ErrorCode.Conflict, 'conflict');
    const next = { ...structuredClone(session), version: expectedVersion + 1, updated_at: new Date().toISOString() };
    this.map.set(key, next);
    return structuredClone(next);
  }

  async delete(agent: string, id: string): Promise<boolean> {
    return this.map.delete(`${agent}/${id}`);
  }

  async close(): Promise<void> {}
}

function agentResource(name: string): IRAgent {
  return agent(name, { model: 'claude-test', max_turns: 5, timeout_ms: 60_000 });
}
