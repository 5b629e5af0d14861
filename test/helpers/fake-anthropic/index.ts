/**
 * A scripted fake of the Anthropic Messages API: a real HTTP server on
 * 127.0.0.1 (random port) answering `POST /v1/messages` in the real wire
 * format, recording every request.
 *
 * @example
 * ```ts
 * const fake = await startFakeAnthropic();
 * process.env.ANTHROPIC_BASE_URL = fake.url;   // or createAnthropicProvider({ baseURL: fake.url, apiKey: 'test-key' })
 * process.env.ANTHROPIC_API_KEY = 'test-key';
 * fake.script(
 *   { toolUses: [{ name: 'lookup', input: { q: 'x' } }] },                 // first call: a tool use
 *   { text: 'done', usage: { input_tokens: 12, output_tokens: 3 } },        // second call: text
 *   { status: 429, error: { type: 'rate_limit_error', message: 'slow down' }, headers: { 'retry-after': '0.05' } },
 * );
 * fake.respond((request, n) => ({ text: `echo ${n}` }));  // answers every call the script does not cover
 * fake.requests[0].body.system;                            // what the client sent
 * await fake.nextAbort();                                  // resolves when a client closes a stream early
 * await fake.close();
 * ```
 *
 * Replies (see {@link FakeReply}): `{text, toolUses, stopReason, usage,
 * chunkDelayMs, firstByteDelayMs, hang, streamError}` for a message — streamed as
 * message_start, ping, content_block_start/delta/stop (text_delta and
 * input_json_delta split into several chunks), message_delta (stop reason and
 * usage with cache fields), message_stop, each with its `event:` line — or
 * `{status, error: {type, message}, headers}` for an API error. Zero latency
 * unless asked, so benchmarks can use it. A request without credentials
 * (`x-api-key` or `Authorization: Bearer`) gets the real 401 `authentication_error`; a request no reply covers
 * gets a 400 naming the fake, so a test missing a reply fails clearly.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { errorBody, isErrorReply, jsonMessage, sseFrame, streamEvents, type FakeErrorReply, type FakeMessageReply, type FakeReply } from './wire.js';

export type { FakeErrorReply, FakeMessageReply, FakeReply, FakeUsage } from './wire.js';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** the parsed JSON body (`{raw}` when it does not parse) */
  body: Record<string, unknown>;
  /** the credential sent, from `x-api-key` or `Authorization: Bearer` (this SDK version sends the latter) */
  apiKey?: string | undefined;
}

export type Responder = (request: RecordedRequest, index: number) => FakeReply;

export interface FakeAnthropic {
  /** base URL for the SDK (`baseURL` / `ANTHROPIC_BASE_URL`), e.g. `http://127.0.0.1:40123` */
  readonly url: string;
  /** every request received, in arrival order */
  readonly requests: RecordedRequest[];
  /** streaming responses whose connection the client closed before the end */
  readonly aborted: number;
  /** TCP connections accepted so far (a client that keeps its connection alive opens one for many requests) */
  readonly connections: number;
  /** queues replies, consumed one per request in order */
  script(...replies: FakeReply[]): FakeAnthropic;
  /** answers every request the script queue does not cover */
  respond(fn: Responder): FakeAnthropic;
  /** resolves at the next (or an already unobserved) client-side close of a streaming response */
  nextAbort(): Promise<void>;
  /** stops the server, dropping open connections */
  close(): Promise<void>;
}

/** Starts the fake on 127.0.0.1 with a random port. */
export async function startFakeAnthropic(): Promise<FakeAnthropic> {
  const queue: FakeReply[] = [];
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  let responder: Responder | undefined;
  let aborted = 0;
  let connections = 0;
  let unobservedAborts = 0;
  let abortWaiters: (() => void)[] = [];
  let ids = 0;

  const noteAbort = () => {
    aborted++;
    const waiters = abortWaiters;
    abortWaiters = [];
    if (waiters.length === 0) unobservedAborts++;
    for (const wake of waiters) wake();
  };

  const server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(errorBody({ status: 500, error: { type: 'api_error', message: `fake-anthropic: ${String(error)}` } }));
    });
  });
  server.on('connection', (socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      body = { raw: text };
    }
    const recorded: RecordedRequest = { method: req.method ?? 'GET', path: req.url ?? '/', headers: { ...req.headers }, body, apiKey: credentialOf(req) };
    const index = requests.push(recorded) - 1;

    if (req.method !== 'POST' || !recorded.path.startsWith('/v1/messages')) {
      return sendError(res, { status: 404, error: { type: 'not_found_error', message: `fake-anthropic: no route ${req.method} ${recorded.path}` } });
    }
    if (!recorded.apiKey) {
      return sendError(res, { status: 401, error: { type: 'authentication_error', message: 'x-api-key header is required' } });
    }
    const reply = queue.shift() ?? responder?.(recorded, index);
    if (!reply) {
      return sendError(res, { status: 400, error: { type: 'invalid_request_error', message: `fake-anthropic: no reply scripted for request ${index + 1}` } });
    }
    if (isErrorReply(reply)) return sendError(res, reply);
    const model = typeof body.model === 'string' ? body.model : 'claude-fake';
    const nextId = () => `toolu_fake_${++ids}`;
    const messageId = `msg_fake_${index + 1}`;
    const streaming = body.stream === true;
    const progress = { finished: false };
    // watch from the start, so that a client leaving during firstByteDelayMs counts as an abort too
    if (streaming) res.on('close', () => progress.finished || noteAbort());
    if (reply.firstByteDelayMs && !(await pause(res, reply.firstByteDelayMs))) return;
    if (!streaming) {
      res.writeHead(200, { 'content-type': 'application/json', 'request-id': `req_fake_${index + 1}` });
      res.end(JSON.stringify(jsonMessage(reply, model, messageId, nextId)));
      return;
    }
    await sendStream(res, reply, model, messageId, nextId, progress);
  }

  async function sendStream(
    res: ServerResponse,
    reply: FakeMessageReply,
    model: string,
    messageId: string,
    nextId: () => string,
    progress: { finished: boolean },
  ): Promise<void> {
    if (res.destroyed) return;
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'request-id': `req_fake_${messageId}` });
    res.flushHeaders();
    const events = streamEvents(reply, model, messageId, nextId);
    // a hanging or failing reply stops after the first delta (so the client has seen output)
    const firstDelta = events.findIndex((e) => e.event === 'content_block_delta');
    const cut = reply.hang || reply.streamError;
    const sent = cut ? events.slice(0, firstDelta >= 0 ? firstDelta + 1 : 3) : events;
    if (reply.streamError) sent.push({ event: 'error', data: { type: 'error', error: reply.streamError } });
    for (const event of sent) {
      if (res.destroyed) return;
      if (reply.chunkDelayMs && !(await pause(res, reply.chunkDelayMs))) return;
      res.write(sseFrame(event));
    }
    if (reply.hang) {
      if (!res.destroyed) await once(res, 'close');
      return;
    }
    if (reply.endDelayMs && !(await pause(res, reply.endDelayMs))) return;
    progress.finished = true;
    res.end();
  }

  function sendError(res: ServerResponse, reply: FakeErrorReply): void {
    res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
    res.end(errorBody(reply));
  }

  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;

  const fake: FakeAnthropic = {
    url: `http://127.0.0.1:${port}`,
    requests,
    get aborted() {
      return aborted;
    },
    get connections() {
      return connections;
    },
    script(...replies) {
      queue.push(...replies);
      return fake;
    },
    respond(fn) {
      responder = fn;
      return fake;
    },
    nextAbort() {
      if (unobservedAborts > 0) {
        unobservedAborts--;
        return Promise.resolve();
      }
      return new Promise((resolve) => abortWaiters.push(resolve));
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return fake;
}

function credentialOf(req: IncomingMessage): string | undefined {
  const header = req.headers['x-api-key'];
  if (typeof header === 'string' && header) return header;
  const auth = req.headers.authorization;
  return auth?.startsWith('Bearer ') ? auth.slice('Bearer '.length) || undefined : undefined;
}

/** Waits `ms` unless the client goes away first (so no timer outlives a closed connection); true when still connected. */
async function pause(res: ServerResponse, ms: number): Promise<boolean> {
  if (res.destroyed) return false;
  const gone = new AbortController();
  const onClose = () => gone.abort();
  res.once('close', onClose);
  try {
    await sleep(ms, undefined, { signal: gone.signal });
    return !res.destroyed;
  } catch {
    return false;
  } finally {
    res.off('close', onClose);
  }
}
