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
import type { ServerResponse } from 'node:http';
import {
  pause,
  startScriptedFake,
  type Exchange,
  type RecordedHttpRequest,
  type Responder as ScriptedResponder,
  type ScriptedFake,
} from '../scripted-http-fake.js';
import { errorBody, isErrorReply, jsonMessage, sseFrame, streamEvents, type FakeErrorReply, type FakeMessageReply, type FakeReply } from './wire.js';

export type { FakeErrorReply, FakeMessageReply, FakeReply, FakeUsage } from './wire.js';

/** A request as the fake recorded it; `apiKey` is the credential from `x-api-key` or `Authorization: Bearer` (this SDK version sends the latter). */
export type RecordedRequest = RecordedHttpRequest;

export type Responder = ScriptedResponder<FakeReply>;

/** `url` is the SDK's `baseURL` (and `ANTHROPIC_BASE_URL`), e.g. `http://127.0.0.1:40123`. */
export type FakeAnthropic = ScriptedFake<FakeReply>;

/** Starts the fake on 127.0.0.1 with a random port. */
export async function startFakeAnthropic(): Promise<FakeAnthropic> {
  let ids = 0;
  const handle = async ({ res, request, index, reply: next, watch }: Exchange<FakeReply>): Promise<void> => {
    if (request.method !== 'POST' || !request.path.startsWith('/v1/messages')) {
      return sendError(res, { status: 404, error: { type: 'not_found_error', message: `fake-anthropic: no route ${request.method} ${request.path}` } });
    }
    if (!request.apiKey) {
      return sendError(res, { status: 401, error: { type: 'authentication_error', message: 'x-api-key header is required' } });
    }
    const reply = next();
    if (!reply) {
      return sendError(res, { status: 400, error: { type: 'invalid_request_error', message: `fake-anthropic: no reply scripted for request ${index + 1}` } });
    }
    if (isErrorReply(reply)) return sendError(res, reply);
    const { body } = request;
    const model = typeof body.model === 'string' ? body.model : 'claude-fake';
    const nextId = () => `toolu_fake_${++ids}`;
    const messageId = `msg_fake_${index + 1}`;
    // watched from the start, so that a client leaving during firstByteDelayMs counts as an abort too
    const progress = body.stream === true ? watch() : undefined;
    if (reply.firstByteDelayMs && !(await pause(res, reply.firstByteDelayMs))) return;
    if (!progress) {
      res.writeHead(200, { 'content-type': 'application/json', 'request-id': `req_fake_${index + 1}` });
      res.end(JSON.stringify(jsonMessage(reply, model, messageId, nextId)));
      return;
    }
    await sendStream(res, reply, model, messageId, nextId, progress.finish);
  };
  return startScriptedFake(handle, (error) => errorBody({ status: 500, error: { type: 'api_error', message: `fake-anthropic: ${String(error)}` } }));
}

/** Writes the event stream of `reply`, calling `finish` just before its end. */
async function sendStream(
  res: ServerResponse,
  reply: FakeMessageReply,
  model: string,
  messageId: string,
  nextId: () => string,
  finish: () => void,
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
  finish();
  res.end();
}

function sendError(res: ServerResponse, reply: FakeErrorReply): void {
  res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
  res.end(errorBody(reply));
}
