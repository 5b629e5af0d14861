/**
 * A scripted fake of the Chat Completions API (OpenAI, and Ollama's
 * OpenAI-compatible API): a real HTTP server on 127.0.0.1 (random port)
 * answering `POST /v1/chat/completions` in the real wire format, recording
 * every request.
 *
 * @example
 * ```ts
 * const fake = await startFakeOpenAI();
 * createOpenAIProvider({ apiKey: 'test-key', baseURL: fake.baseURL });  // or OPENAI_BASE_URL = fake.baseURL
 * createOllamaProvider({ baseURL: fake.baseURL });                      // or OLLAMA_HOST = fake.url
 * fake.script(
 *   { toolCalls: [{ name: 'lookup', input: { q: 'x' } }] },              // first call: a tool call
 *   { text: 'done', usage: { prompt_tokens: 12, completion_tokens: 3 } },
 *   { status: 429, error: { type: 'requests', message: 'slow down' }, headers: { 'retry-after-ms': '5' } },
 * );
 * fake.respond((request, n) => ({ text: `echo ${n}` }));  // answers every call the script does not cover
 * fake.requests[0].body.messages;                          // what the client sent
 * await fake.nextAbort();                                  // resolves when a client closes a stream early
 * await fake.close();
 * ```
 *
 * Replies: see {@link FakeChatReply} (text, tool calls with argument
 * fragments, finish reason, usage, delays, and the failures: hang,
 * streamError, malformed, truncated) and {@link FakeChatErrorReply}. A request
 * without a Bearer credential gets the real 401 unless `requireKey: false`
 * (Ollama's way); a request no reply covers gets a 400 naming the fake.
 */
import { once } from 'node:events';
import type { ServerResponse } from 'node:http';
import { pause, startScriptedFake, type Exchange, type ScriptedFake } from '../scripted-http-fake.js';
import {
  chatErrorBody,
  completionBody,
  isChatError,
  streamChunks,
  type ChunkContext,
  type FakeChatAnswer,
  type FakeChatErrorReply,
  type FakeChatReply,
} from './wire.js';

export type { FakeChatAnswer, FakeChatErrorReply, FakeChatReply, FakeChatUsage, FakeToolCall } from './wire.js';

export interface FakeOpenAI extends ScriptedFake<FakeChatAnswer> {
  /** `url` + `/v1`: what the SDK's `baseURL` (and `OPENAI_BASE_URL`) takes; `url` is what `OLLAMA_HOST` takes */
  readonly baseURL: string;
}

export interface FakeOpenAIOptions {
  /** answer a request without `Authorization: Bearer …` with 401 (default true; Ollama needs none) */
  requireKey?: boolean;
}

/** Starts the fake on 127.0.0.1 with a random port. */
export async function startFakeOpenAI(options: FakeOpenAIOptions = {}): Promise<FakeOpenAI> {
  let callIds = 0;
  const handle = async ({ res, request, index, reply: next, watch }: Exchange<FakeChatAnswer>): Promise<void> => {
    if (request.method !== 'POST' || request.path !== '/v1/chat/completions') {
      return fail(res, { status: 404, error: { type: 'invalid_request_error', message: `fake-openai: no route ${request.method} ${request.path}` } });
    }
    if ((options.requireKey ?? true) && !request.apiKey) {
      return fail(res, { status: 401, error: { type: 'invalid_request_error', code: 'invalid_api_key', message: "You didn't provide an API key." } });
    }
    const reply = next();
    if (!reply) return fail(res, { status: 400, error: { type: 'invalid_request_error', message: `fake-openai: no reply scripted for request ${index + 1}` } });
    if (isChatError(reply)) return fail(res, reply);
    const { body } = request;
    const streamOptions = body.stream_options as { include_usage?: unknown } | undefined;
    const ctx: ChunkContext = {
      id: `chatcmpl-fake${index + 1}`,
      model: typeof body.model === 'string' ? body.model : 'gpt-fake',
      created: 1_700_000_000 + index,
      includeUsage: streamOptions?.include_usage === true,
      nextCallId: () => `call_fake${++callIds}`,
    };
    const streaming = body.stream === true;
    // watched from the start, so that a client leaving during firstByteDelayMs counts as an abort too
    const progress = streaming ? watch() : undefined;
    if (reply.firstByteDelayMs && !(await pause(res, reply.firstByteDelayMs))) return;
    if (!progress) {
      res.writeHead(200, { 'content-type': 'application/json', 'x-request-id': `req_fake${index + 1}` });
      res.end(JSON.stringify(completionBody(reply, ctx)));
      return;
    }
    await stream(res, reply, ctx, progress.finish);
  };
  const fake = await startScriptedFake(handle, (error) =>
    chatErrorBody({ status: 500, error: { type: 'server_error', message: `fake-openai: ${String(error)}` } }),
  );
  return Object.assign(fake, { baseURL: `${fake.url}/v1` });
}

/** Writes the stream of `reply`, calling `finish` just before its end. */
async function stream(res: ServerResponse, reply: FakeChatReply, ctx: ChunkContext, finish: () => void): Promise<void> {
  if (res.destroyed) return;
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'x-request-id': `req_${ctx.id}` });
  res.flushHeaders();
  const cut = Boolean(reply.hang || reply.streamError || reply.malformed || reply.truncated);
  const lines = streamChunks(reply, ctx, cut);
  if (reply.streamError) lines.push(JSON.stringify({ error: { ...reply.streamError, param: null, code: null } }));
  if (reply.malformed) lines.push('{"id":"chatcmpl-fake","choices":[{"index":0,"delta":{"content":"unterminated');
  for (const line of lines) {
    if (res.destroyed) return;
    if (reply.chunkDelayMs && !(await pause(res, reply.chunkDelayMs))) return;
    res.write(`data: ${line}\n\n`);
  }
  if (reply.hang) {
    if (!res.destroyed) await once(res, 'close');
    return;
  }
  finish();
  res.end();
}

function fail(res: ServerResponse, reply: FakeChatErrorReply): void {
  res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
  res.end(chatErrorBody(reply));
}
