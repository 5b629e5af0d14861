import { beforeAll, describe, expect, it, vi } from 'vitest';
import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { installAwsLambdaGlobal, invokeStreaming } from '../helpers/lambda-streaming.js';
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
