/**
 * HTTP server overhead: the real app on a real loopback socket over the real
 * Runtime with an in-process zero-latency model. Prints per-invoke latency
 * direct vs through HTTP (median, p99, overhead), requests per second at 50
 * concurrent clients, and time to first token through SSE (from the model
 * emitting its first text delta to the client reading the `text` event).
 */
import { Agent, request, type IncomingMessage } from 'node:http';
import { performance } from 'node:perf_hooks';
import { startServer } from '../local/server.js';
import { compile } from '../shared/lang/index.js';
import type { ModelProvider } from '../shared/llm/types.js';
import { Runtime } from '../shared/loop/runtime.js';
import { SILENT_LOGGER } from '../shared/telemetry/logger.js';
import { measure, ms, section, stats } from './harness.js';

const SOURCE = `package "bench" version "1.0.0" lang "2.0"
agent "fast" {
  model "claude-haiku-4-5"
}
`;

/** Answers at once; records when it emitted its first text delta. */
function zeroLatencyModel(): { provider: ModelProvider; emitted: number[] } {
  const emitted: number[] = [];
  const provider: ModelProvider = {
    async *stream() {
      emitted.push(performance.now());
      yield { type: 'text', text: 'ok' };
      yield { type: 'usage', usage: { input: 10, output: 2, cache_read: 0, cache_write: 0 } };
      yield { type: 'stop', reason: 'end_turn' };
    },
  };
  return { provider, emitted };
}

export default async function httpBench(): Promise<void> {
  const { ir, diagnostics } = compile(SOURCE, { file: 'bench.ias' });
  if (!ir) throw new Error(`bench package does not compile: ${JSON.stringify(diagnostics)}`);
  const model = zeroLatencyModel();
  const runtime = Runtime.fromIR(ir, { providerFor: () => model.provider });
  const server = await startServer({ runtime: () => runtime, port: 0, apiKeys: false, logger: SILENT_LOGGER, notice: () => {} });
  // A keep-alive node:http client: undici's fetch costs several ms per POST on its own, which would hide the server's cost.
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const body = JSON.stringify({ message: 'hi' });
  const send = (path: string) =>
    new Promise<IncomingMessage>((resolve, reject) => {
      const req = request(
        `${server.url}${path}`,
        { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
        resolve,
      );
      req.on('error', reject);
      req.end(body);
    });
  const post = async (path: string) => {
    const res = await send(path);
    res.resume();
    await new Promise((resolve) => res.on('end', resolve));
    if (res.statusCode !== 200) throw new Error(`HTTP ${res.statusCode}`);
  };
  const invokePath = '/v1/agents/fast/invoke';
  try {
    const direct = await measure(() => runtime.invoke('fast', { message: 'hi' }), { iterations: 1000, warmup: 300 });
    const http = await measure(() => post(invokePath), { iterations: 1000, warmup: 300 });
    section('HTTP /invoke vs direct runtime.invoke (zero-latency model)', [
      ['direct median / p99', `${ms(direct.median)} / ${ms(direct.p99)}`],
      ['HTTP median / p99', `${ms(http.median)} / ${ms(http.p99)}`],
      ['server overhead (median)', ms(http.median - direct.median)],
      ['server overhead (p99)', ms(http.p99 - direct.p99)],
      ['HTTP / direct (median)', `${(http.median / direct.median).toFixed(1)}x`],
    ]);

    const total = 2000;
    const clients = 50;
    let next = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: clients }, async () => {
        while (next < total) {
          next++;
          await post(invokePath);
        }
      }),
    );
    const seconds = (performance.now() - t0) / 1000;
    section('Throughput at 50 concurrent clients', [
      ['requests', String(total)],
      ['requests per second', (total / seconds).toFixed(0)],
    ]);

    const ttft: number[] = [];
    for (let i = 0; i < 300; i++) {
      const res = await send('/v1/agents/fast/stream');
      res.setEncoding('utf8');
      const ended = new Promise<void>((resolve) => res.on('end', () => resolve()));
      const read = await new Promise<number>((resolve, reject) => {
        let seen = '';
        res.on('data', (chunk: string) => {
          seen += chunk;
          if (seen.includes('event: text')) resolve(performance.now());
        });
        void ended.then(() => reject(new Error('stream ended before a text event')));
      });
      ttft.push(read - model.emitted.at(-1)!);
      await ended;
    }
    const first = stats(ttft.slice(30));
    section('Time to first token through SSE (model delta → client reads `text`)', [
      ['median', ms(first.median)],
      ['p99', ms(first.p99)],
      ['goal', 'median ≤ 5 ms'],
    ]);
  } finally {
    agent.destroy();
    await server.close();
  }
}
