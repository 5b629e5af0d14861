import { Writable } from 'node:stream';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { streamBoundsFromEnv } from '../../functions/lib/stream-bounds.js';
import { isAgentSpecError } from '../../shared/errors.js';
import { installAwsLambdaGlobal, invokeStreaming, lambdaContext } from '../helpers/lambda-streaming.js';
import { functionUrlEvent } from './helpers/lambda-events.js';

type StreamingModule = typeof import('../../functions/lib/stream-response.js');
let streamingHandler: StreamingModule['streamingHandler'];

beforeAll(async () => {
  installAwsLambdaGlobal();
  ({ streamingHandler } = await import('../../functions/lib/stream-response.js'));
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** An SSE app writing `count` events `gapMs` apart, recording whether the writer saw the client go. */
function sseApp(count: number, gapMs: number) {
  const seen = { written: 0, aborted: false };
  const app = new Hono();
  app.post('/v1/agents/:name/stream', (c) =>
    streamSSE(c, async (stream) => {
      stream.onAbort(() => {
        seen.aborted = true;
      });
      for (let i = 0; i < count && !stream.aborted; i++) {
        await stream.writeSSE({ event: 'text', data: JSON.stringify({ text: `t${i}` }) });
        seen.written++;
        await sleep(gapMs);
      }
    }),
  );
  return { app, seen };
}

describe('Lambda response streaming of a Hono SSE app', () => {
  it('writes the prelude (metadata JSON + 8 NUL bytes) before the body, with status and headers', async () => {
    // Prepare
    const { app } = sseApp(2, 1);
    const handler = streamingHandler(async () => app);
    // Act
    const res = await invokeStreaming(handler, functionUrlEvent({ path: '/v1/agents/bot/stream', body: { message: 'hi' } }));
    // Assess
    const prelude = res.chunks[0]!.data;
    expect(prelude.subarray(prelude.length - 8)).toEqual(Buffer.alloc(8, 0));
    expect(res.metadata.statusCode).toBe(200);
    expect(res.metadata.headers?.['content-type']).toMatch(/text\/event-stream/);
    expect(res.body).toContain('event: text\ndata: {"text":"t0"}');
    expect(res.body).toContain('data: {"text":"t1"}');
    expect(res.completed).toBe(true);
  });

  it('flushes each event as it is written, not all at the end', async () => {
    // Prepare: 4 events 80 ms apart
    const { app } = sseApp(4, 80);
    const handler = streamingHandler(async () => app);
    // Act
    const res = await invokeStreaming(handler, functionUrlEvent({ path: '/v1/agents/bot/stream', body: {} }));
    // Assess: the body chunks arrive spread over the run, each carrying one event
    const bodyChunks = res.chunks.slice(1).filter((c) => c.data.toString().includes('event: text'));
    expect(bodyChunks).toHaveLength(4);
    const first = bodyChunks[0]!.at;
    const last = bodyChunks[3]!.at;
    expect(last - first).toBeGreaterThan(150);
    expect(first).toBeLessThan(res.durationMs - 150);
  });

  it('stops the app when the client disconnects', async () => {
    // Prepare: 50 events 20 ms apart (a second); the client leaves after the second one
    const { app, seen } = sseApp(50, 20);
    const handler = streamingHandler(async () => app);
    // Act
    const res = await invokeStreaming(handler, functionUrlEvent({ path: '/v1/agents/bot/stream', body: {} }), {
      disconnectWhen: (body) => body.includes('"t1"'),
    });
    // Assess: the writer sees the client go (waited for, not slept on)
    await vi.waitFor(() => expect(seen.aborted).toBe(true));
    expect(seen.written).toBeLessThan(10);
    expect(res.body).not.toContain('"t10"');
  });

  it('answers a failed initialisation with the contract error body', async () => {
    const { AgentSpecError } = await import('../../shared/errors.js');
    const handler = streamingHandler(async () => {
      throw new AgentSpecError('config_error', 'Secret "x" has no value.');
    });
    const res = await invokeStreaming(handler, functionUrlEvent({ path: '/v1/agents/bot/stream', body: {} }));
    expect(res.metadata.statusCode).toBe(500);
    expect(JSON.parse(res.body)).toEqual({ error: 'config_error', message: 'Secret "x" has no value.', details: {} });
  });

  it('decodes a base64 body', async () => {
    const app = new Hono();
    app.post('/echo', async (c) => c.text(await c.req.text()));
    const res = await invokeStreaming(
      streamingHandler(async () => app),
      functionUrlEvent({ path: '/echo', body: 'héllo', base64: true }),
    );
    expect(res.body).toBe('héllo');
  });
});

type Handler = ReturnType<StreamingModule['streamingHandler']>;

/** `handler` in a function that has `ms` left when the invocation starts. */
function withRemaining(handler: Handler, ms: number): Handler {
  return awslambda.streamifyResponse((event, stream, context) => handler(event, stream, { ...context, getRemainingTimeInMillis: () => ms }));
}

/** Calls a streaming handler with a response stream that accepts `accepted` writes, then never drains. */
async function invokeStuck(handler: unknown, accepted: number) {
  const chunks: Buffer[] = [];
  const out = new Writable({
    highWaterMark: 1,
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(Buffer.from(chunk));
      if (chunks.length <= accepted) callback();
    },
  });
  out.on('error', () => undefined);
  await (handler as (event: unknown, stream: Writable, context: unknown) => Promise<void>)(
    functionUrlEvent({ path: '/v1/agents/bot/stream', body: {} }),
    out,
    lambdaContext(),
  );
  return { out, body: Buffer.concat(chunks).toString('utf8') };
}

/** An SSE app that waits for its request to be aborted (or, with `deaf`, never), then reports the abort's reason. */
function waitingApp(deaf = false) {
  const seen: { reason?: unknown } = {};
  const app = new Hono();
  app.post('/v1/agents/:name/stream', (c) =>
    streamSSE(c, async (stream) => {
      await stream.writeSSE({ event: 'text', data: '{"text":"working"}' });
      const signal = c.req.raw.signal;
      await new Promise<void>((resolve) => (deaf ? stream.onAbort(resolve) : signal.addEventListener('abort', () => resolve(), { once: true })));
      seen.reason = signal.reason;
      if (!deaf) await stream.writeSSE({ event: 'error', data: JSON.stringify({ error: isAgentSpecError(signal.reason) ? signal.reason.code : 'other' }) });
    }),
  );
  return { app, seen };
}

describe('the stream function bounds each invocation itself', () => {
  it('aborts the run at its deadline, before the function times out, so the app still sends its last event', async () => {
    // Prepare: 400 ms left; the margin is a quarter of that
    const { app, seen } = waitingApp();
    const handler = withRemaining(
      streamingHandler(async () => app, { maxMs: undefined, stallMs: 1_000 }),
      400,
    );
    const started = Date.now();
    // Act
    const res = await invokeStreaming(handler, functionUrlEvent({ path: '/v1/agents/bot/stream', body: {} }));
    // Assess
    expect(isAgentSpecError(seen.reason, 'timeout')).toBe(true);
    expect(res.body).toContain('event: error\ndata: {"error":"timeout"}');
    expect(res.completed).toBe(true);
    expect(Date.now() - started).toBeLessThan(400);
  });

  it('takes AGENTSPEC_STREAM_MAX_MS as the deadline when it comes first', async () => {
    const { app, seen } = waitingApp();
    const handler = streamingHandler(async () => app, streamBoundsFromEnv({ AGENTSPEC_STREAM_MAX_MS: '50' }));
    const res = await invokeStreaming(handler, functionUrlEvent({ path: '/v1/agents/bot/stream', body: {} }));
    expect((seen.reason as { details: { deadline_ms: number } }).details.deadline_ms).toBe(50);
    expect(res.body).toContain('"error":"timeout"');
  });

  it('cuts the body of a run that ignores its deadline, half the margin later', async () => {
    const { app, seen } = waitingApp(true);
    const handler = withRemaining(
      streamingHandler(async () => app, { maxMs: undefined, stallMs: 1_000 }),
      400,
    );
    const started = Date.now();
    const res = await invokeStreaming(handler, functionUrlEvent({ path: '/v1/agents/bot/stream', body: {} }));
    // the app saw its stream cancelled; the handler returned within the function's time
    expect(seen.reason).toBeDefined();
    expect(res.completed).toBe(true);
    expect(res.body).toContain('"text":"working"');
    expect(Date.now() - started).toBeLessThan(400);
  });

  it('ends the run and destroys the response stream when a write does not drain in time', async () => {
    // Prepare: the prelude goes through, the first event never drains
    const { app, seen } = sseApp(50, 1);
    const handler = streamingHandler(async () => app, { maxMs: undefined, stallMs: 50 });
    // Act
    const { out, body } = await invokeStuck(handler, 1);
    // Assess
    await vi.waitFor(() => expect(seen.aborted).toBe(true));
    expect(out.destroyed).toBe(true);
    expect(out.errored?.message).toMatch(/did not drain within 50 ms/);
    expect(body).not.toContain('"t5"');
  });

  it('refuses a bound that is not a positive number of milliseconds', () => {
    expect(() => streamBoundsFromEnv({ AGENTSPEC_STREAM_STALL_MS: '-5' })).toThrow(/AGENTSPEC_STREAM_STALL_MS must be a positive whole number/);
    expect(streamBoundsFromEnv({})).toEqual({ maxMs: undefined, stallMs: 10_000 });
  });
});
