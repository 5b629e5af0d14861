/**
 * The typed client of the HTTP API (docs/client.md). It runs wherever `fetch`
 * does — Node 20+, browsers, edge runtimes — and imports nothing Node-only.
 * Request and response types are read off the schemas that validate the
 * requests and describe the responses in `/openapi.json`, so they cannot
 * drift from the server.
 */
import { EventSourceParserStream } from 'eventsource-parser/stream';
import type { CreateSessionBody, InvokeBody, PipelineRunBody, RequestBody, ResponseBody, SessionMessageBody, StreamEvent } from '../http/schemas.js';
import { AgentSpecApiError } from './api-error.js';

export type InvokeInput = RequestBody<typeof InvokeBody>;
export type SessionMessageInput = RequestBody<typeof SessionMessageBody>;
export type CreateSessionInput = RequestBody<typeof CreateSessionBody>;
export type PipelineRunInput = RequestBody<typeof PipelineRunBody>;
export type InvokeResponse = ResponseBody<'InvokeResponse'>;
export type PipelineResult = ResponseBody<'PipelineResult'>;
export type Health = ResponseBody<'Health'>;
export type AgentSummary = ResponseBody<'Agents'>['agents'][number];
export type PipelineSummary = ResponseBody<'Pipelines'>['pipelines'][number];
export type SessionCreated = ResponseBody<'SessionCreated'>;
export type Session = ResponseBody<'Session'>;
export type { StreamEvent };

export interface ClientOptions {
  /** where the API is served, e.g. `http://127.0.0.1:8080` or a Function URL */
  baseUrl: string;
  /** sent as `Authorization: Bearer <key>` */
  apiKey?: string | undefined;
  /** extra headers on every request */
  headers?: Record<string, string> | undefined;
  /** the `fetch` to use (default: the global one) */
  fetch?: typeof fetch | undefined;
}

export interface CallOptions {
  /** aborting cancels the request; for a stream, the server cancels the run */
  signal?: AbortSignal | undefined;
}

export class AgentSpecClient {
  private readonly baseUrl: string;
  private readonly fetch: typeof fetch;
  private readonly headers: Record<string, string>;

  constructor(options: ClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.headers = { ...options.headers, ...(options.apiKey === undefined ? {} : { authorization: `Bearer ${options.apiKey}` }) };
  }

  health(options?: CallOptions): Promise<Health> {
    return this.json('GET', '/healthz', undefined, options);
  }

  async agents(options?: CallOptions): Promise<AgentSummary[]> {
    return (await this.json<ResponseBody<'Agents'>>('GET', '/v1/agents', undefined, options)).agents;
  }

  invoke(agent: string, input: InvokeInput, options?: CallOptions): Promise<InvokeResponse> {
    return this.json('POST', `/v1/agents/${segment(agent)}/invoke`, input, options);
  }

  /** The run's events as they happen; the last is `done` or `error`. An error answer before the stream starts is thrown. */
  async *stream(agent: string, input: InvokeInput, options?: CallOptions): AsyncGenerator<StreamEvent, void, undefined> {
    const response = await this.send('POST', `/v1/agents/${segment(agent)}/stream`, input, options, 'text/event-stream');
    if (!response.body) throw new AgentSpecApiError(response.status, 'http_error', 'The stream response has no body.');
    const events = response.body.pipeThrough(new TextDecoderStream()).pipeThrough(new EventSourceParserStream());
    const reader = events.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        const event = { type: value.event ?? 'message', data: JSON.parse(value.data) as unknown } as StreamEvent;
        yield event;
        if (event.type === 'done' || event.type === 'error') return;
      }
    } finally {
      // stopping early (break, return, an exception) closes the connection, which cancels the run on the server
      await reader.cancel().catch(() => {});
    }
  }

  createSession(agent: string, input: CreateSessionInput = {}, options?: CallOptions): Promise<SessionCreated> {
    return this.json('POST', `/v1/agents/${segment(agent)}/sessions`, input, options);
  }

  sendMessage(agent: string, sessionId: string, input: SessionMessageInput, options?: CallOptions): Promise<InvokeResponse> {
    return this.json('POST', `/v1/agents/${segment(agent)}/sessions/${segment(sessionId)}`, input, options);
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

  runPipeline(pipeline: string, input: PipelineRunInput = {}, options?: CallOptions): Promise<PipelineResult> {
    return this.json('POST', `/v1/pipelines/${segment(pipeline)}/run`, input, options);
  }

  private async json<T>(method: string, path: string, body: unknown, options: CallOptions | undefined): Promise<T> {
    const response = await this.send(method, path, body, options, 'application/json');
    return (await response.json()) as T;
  }

  private async send(method: string, path: string, body: unknown, options: CallOptions | undefined, accept?: string): Promise<Response> {
    const headers: Record<string, string> = { ...this.headers, ...(accept ? { accept } : {}) };
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

/** A name or id as one path segment. */
function segment(value: string): string {
  return encodeURIComponent(value);
}
