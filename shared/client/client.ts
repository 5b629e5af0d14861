/**
 * The typed client of the HTTP API (docs/client.md). It runs wherever `fetch`
 * does — Node 20+, browsers, edge runtimes — and imports nothing Node-only.
 * Request and response types are read off the schemas that validate the
 * requests and describe the responses in `/openapi.json`, so they cannot
 * drift from the server.
 */
import type { CreateSessionBody, InvokeBody, PipelineRunBody, RequestBody, ResponseBody, SessionMessageBody, StreamEvent } from '../http/schemas.js';
import { AgentSpecApiError } from './api-error.js';
import type { ClientEvent } from './events.js';
import { RunStream, type ResumeOptions } from './run-stream.js';
import type { PendingApproval, RunAccepted, RunInfo } from './run-types.js';
import { RunWaitingError } from './waiting-error.js';

/** `detach: true` in a body: the run goes on when the connection drops or the caller stops reading. */
export type InvokeInput = RequestBody<typeof InvokeBody>;
export type SessionMessageInput = RequestBody<typeof SessionMessageBody>;
export type CreateSessionInput = RequestBody<typeof CreateSessionBody>;
export type PipelineRunInput = RequestBody<typeof PipelineRunBody>;
/** An agent's answer, with the id of the run that produced it. */
export type InvokeResponse = ResponseBody<'InvokeResponse'> & { run_id: string };
export type PipelineResult = ResponseBody<'PipelineResult'> & { run_id: string };
export type Health = ResponseBody<'Health'>;
export type AgentSummary = ResponseBody<'Agents'>['agents'][number];
export type PipelineSummary = ResponseBody<'Pipelines'>['pipelines'][number];
export type SessionCreated = ResponseBody<'SessionCreated'>;
export type Session = ResponseBody<'Session'>;
export type { ClientEvent, StreamEvent };

export interface ClientOptions {
  /** where the API is served, e.g. `http://127.0.0.1:8080` or a Function URL */
  baseUrl: string;
  /** sent as `Authorization: Bearer <key>` */
  apiKey?: string | undefined;
  /** extra headers on every request */
  headers?: Record<string, string> | undefined;
  /** the `fetch` to use (default: the global one) */
  fetch?: typeof fetch | undefined;
  /** how streams reconnect after a dropped connection; `false`: never (default: 5 tries, 200 ms doubling up to 5 s) */
  resume?: ResumeOptions | false | undefined;
}

export interface CallOptions {
  /** aborting cancels the request; for a stream, it also cancels the run unless it was started with `detach: true` */
  signal?: AbortSignal | undefined;
}

export interface ApproveInput {
  /** an edited input for the call (checked against the skill's input schema) */
  input?: unknown;
  /** answer at once (202) instead of after the resumed run ends or pauses again */
  detach?: boolean | undefined;
}

export interface RejectInput {
  /** what the model is told of the rejection */
  reason: string;
  detach?: boolean | undefined;
}

/** A detached start (`running`), or a detached decision that left approvals pending (`waiting`). */

export class AgentSpecClient {
  private readonly baseUrl: string;
  private readonly fetch: typeof fetch;
  private readonly headers: Record<string, string>;
  private readonly resume: ResumeOptions | false;

  constructor(options: ClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.headers = { ...options.headers, ...(options.apiKey === undefined ? {} : { authorization: `Bearer ${options.apiKey}` }) };
    this.resume = options.resume ?? {};
  }

  health(options?: CallOptions): Promise<Health> {
    return this.json('GET', '/healthz', undefined, options);
  }

  async agents(options?: CallOptions): Promise<AgentSummary[]> {
    return (await this.json<ResponseBody<'Agents'>>('GET', '/v1/agents', undefined, options)).agents;
  }

  /** The agent's answer. A run that pauses for approval throws `RunWaitingError`; with `detach: true` the run is started and answered at once. */
  invoke(agent: string, input: InvokeInput & { detach: true }, options?: CallOptions): Promise<RunAccepted>;
  invoke(agent: string, input: InvokeInput, options?: CallOptions): Promise<InvokeResponse>;
  invoke(agent: string, input: InvokeInput, options?: CallOptions): Promise<InvokeResponse | RunAccepted> {
    return this.result('POST', `/v1/agents/${segment(agent)}/invoke`, input, options);
  }

  /**
   * The run's events as they happen: first `run`, last `done`, `error` or
   * `waiting`. A dropped connection is resumed from the run's log; leaving
   * early cancels the run unless `detach: true` was asked. An error answer
   * before the stream starts is thrown from the first `next()`.
   */
  stream(agent: string, input: InvokeInput, options?: CallOptions): RunStream {
    const resume = input.detach === false ? false : this.resume;
    // With resume on, the server is asked to keep the run when the connection drops (so there is something to
    // resume); leaving the loop then cancels it explicitly, unless the caller asked for `detach` itself.
    const body = resume === false ? input : { ...input, detach: true };
    const cancelOnLeave = resume !== false && input.detach !== true;
    return new RunStream({
      start: (signal) => this.send('POST', `/v1/agents/${segment(agent)}/stream`, body, { signal }, 'text/event-stream'),
      follow: (runId, after, signal) => this.follow(runId, after, signal),
      leave: cancelOnLeave ? (runId) => this.cancel(runId).then(() => {}) : undefined,
      resume,
      signal: options?.signal,
    });
  }

  createSession(agent: string, input: CreateSessionInput = {}, options?: CallOptions): Promise<SessionCreated> {
    return this.json('POST', `/v1/agents/${segment(agent)}/sessions`, input, options);
  }

  sendMessage(agent: string, sessionId: string, input: SessionMessageInput & { detach: true }, options?: CallOptions): Promise<RunAccepted>;
  sendMessage(agent: string, sessionId: string, input: SessionMessageInput, options?: CallOptions): Promise<InvokeResponse>;
  sendMessage(agent: string, sessionId: string, input: SessionMessageInput, options?: CallOptions): Promise<InvokeResponse | RunAccepted> {
    return this.result('POST', `/v1/agents/${segment(agent)}/sessions/${segment(sessionId)}`, input, options);
  }

  session(agent: string, sessionId: string, options?: CallOptions): Promise<Session> {
    return this.json('GET', `/v1/agents/${segment(agent)}/sessions/${segment(sessionId)}`, undefined, options);
  }

  async deleteSession(agent: string, sessionId: string, options?: CallOptions): Promise<void> {
    await this.send('DELETE', `/v1/agents/${segment(agent)}/sessions/${segment(sessionId)}`, undefined, options);
  }

  async pipelines(options?: CallOptions): Promise<PipelineSummary[]> {
    return (await this.json<ResponseBody<'Pipelines'>>('GET', '/v1/pipelines', undefined, options)).pipelines;
  }

  runPipeline(pipeline: string, input: PipelineRunInput & { detach: true }, options?: CallOptions): Promise<RunAccepted>;
  runPipeline(pipeline: string, input?: PipelineRunInput, options?: CallOptions): Promise<PipelineResult>;
  runPipeline(pipeline: string, input: PipelineRunInput = {}, options?: CallOptions): Promise<PipelineResult | RunAccepted> {
    return this.result('POST', `/v1/pipelines/${segment(pipeline)}/run`, input, options);
  }

  /** Where a run stands: status, result or error, the approvals it waits on. */
  run(runId: string, options?: CallOptions): Promise<RunInfo> {
    return this.json('GET', `/v1/runs/${segment(runId)}`, undefined, options);
  }

  /**
   * A run's logged events after `after` (default: all), then live until it ends or pauses; resumed like `stream`.
   * A run already paused or ended with nothing after `after` gives an empty stream. Leaving does not cancel the run.
   */
  runEvents(runId: string, input: { after?: number | undefined } = {}, options?: CallOptions): RunStream {
    return new RunStream({
      start: (signal) => this.follow(runId, input.after ?? 0, signal),
      follow: (id, after, signal) => this.follow(id, after, signal),
      settled: (id) => this.run(id, { signal: options?.signal }),
      resume: this.resume,
      signal: options?.signal,
      runId,
      after: input.after,
    });
  }

  /** Asks the server to stop a run; answers its status (409 `conflict` when it already ended). */
  cancel(runId: string, options?: CallOptions): Promise<RunInfo> {
    return this.json('POST', `/v1/runs/${segment(runId)}/cancel`, undefined, options);
  }

  /**
   * Approves a pending tool call (optionally with an edited input). The decision that settles the last pending
   * approval resumes the run and answers like `invoke` (its answer, or `RunWaitingError` if it pauses again); an
   * earlier one throws `RunWaitingError` with the approvals still pending. With `detach: true` it answers at once:
   * `running` (resumed), or `waiting` with the approvals still pending.
   */
  approve(runId: string, approvalId: string, input: ApproveInput & { detach: true }, options?: CallOptions): Promise<RunAccepted>;
  approve(runId: string, approvalId: string, input?: ApproveInput, options?: CallOptions): Promise<InvokeResponse>;
  approve(runId: string, approvalId: string, input: ApproveInput = {}, options?: CallOptions): Promise<InvokeResponse | RunAccepted> {
    return this.result('POST', decisionPath(runId, approvalId), { decision: 'approve', ...input }, options);
  }

  /** Rejects a pending tool call; the model reads the reason. Answers like `approve`. */
  reject(runId: string, approvalId: string, input: RejectInput & { detach: true }, options?: CallOptions): Promise<RunAccepted>;
  reject(runId: string, approvalId: string, input: RejectInput, options?: CallOptions): Promise<InvokeResponse>;
  reject(runId: string, approvalId: string, input: RejectInput, options?: CallOptions): Promise<InvokeResponse | RunAccepted> {
    return this.result('POST', decisionPath(runId, approvalId), { decision: 'reject', ...input }, options);
  }

  private follow(runId: string, after: number, signal: AbortSignal | undefined): Promise<Response> {
    const headers = after > 0 ? { 'last-event-id': String(after) } : {};
    return this.send('GET', `/v1/runs/${segment(runId)}/events`, undefined, { signal }, 'text/event-stream', headers);
  }

  /** A run's JSON answer with its run id (from the body or `X-Run-Id`); a paused run throws `RunWaitingError`, unless detached. */
  private async result<T>(
    method: string,
    path: string,
    body: { detach?: boolean | undefined; [field: string]: unknown },
    options: CallOptions | undefined,
  ): Promise<T> {
    const response = await this.send(method, path, body, options, 'application/json');
    const answer = (await response.json()) as { run_id?: string; status?: string; approvals?: PendingApproval[] };
    const runId = answer.run_id ?? response.headers.get('x-run-id') ?? '';
    if (answer.status === 'waiting' && body.detach !== true) throw new RunWaitingError(runId, answer.approvals ?? []);
    return { ...answer, run_id: runId } as T;
  }

  private async json<T>(method: string, path: string, body: unknown, options: CallOptions | undefined): Promise<T> {
    const response = await this.send(method, path, body, options, 'application/json');
    return (await response.json()) as T;
  }

  private async send(
    method: string,
    path: string,
    body: unknown,
    options: CallOptions | undefined,
    accept?: string,
    extra: Record<string, string> = {},
  ): Promise<Response> {
    const headers: Record<string, string> = { ...this.headers, ...extra, ...(accept ? { accept } : {}) };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await this.fetch(`${this.baseUrl}${path}`, {
      method,
      headers,
      body: body === undefined ? null : JSON.stringify(body),
      signal: options?.signal ?? null,
    });
    if (!response.ok) throw await AgentSpecApiError.fromResponse(response);
    return response;
  }
}

function decisionPath(runId: string, approvalId: string): string {
  return `/v1/runs/${segment(runId)}/approvals/${segment(approvalId)}`;
}

/** A name or id as one path segment. */
function segment(value: string): string {
  return encodeURIComponent(value);
}
