/**
 * The cost of durable runs on the HTTP path: the same streamed run of the
 * real Runtime (an in-process model emitting text deltas) through the app
 * with its run log on memory, on Redis (a local redis-server) and on
 * DynamoDB (dynalite), through the app with a store that keeps nothing (the
 * recorder's own machinery), and through a bare SSE route that writes the
 * runtime's events directly (the floor before runs existed). The app is
 * called in-process (`app.fetch`, no socket) so the differences are the
 * recording; the stores are real servers on loopback.
 * Prints time to first token, per-event cost, and resume latency (a
 * reconnect with Last-Event-ID to its first replayed event).
 */
import { performance } from 'node:perf_hooks';
import { Hono } from 'hono/tiny';
import { streamSSE } from 'hono/streaming';
import { createApp } from '../shared/http/app.js';
import { compile } from '../shared/lang/index.js';
import type { ModelProvider } from '../shared/llm/types.js';
import { Runtime } from '../shared/loop/runtime.js';
import { DynamoDBRunStore } from '../functions/lib/runs/dynamodb-run-store.js';
import { RedisRunStore } from '../local/runs/redis-run-store.js';
import { MemoryRunStore } from '../shared/runs/memory-run-store.js';
import type { LoggedEvent, Run, RunStore } from '../shared/runs/types.js';
import { SILENT_LOGGER } from '../shared/telemetry/logger.js';
import { startDynalite } from '../test/aws/helpers/dynalite-table.js';
import { startRedis } from '../test/helpers/redis.js';
import { ms, section, signedMs, stats } from './harness.js';

const SOURCE = `package "bench" version "1.0.0" lang "2.0"
agent "fast" {
  model "claude-haiku-4-5"
}
`;

interface FakeModel {
  provider: ModelProvider;
  /** when each call began emitting */
  emitted: number[];
  /** text deltas per call; set between measurements */
  deltas: number;
}

/** Emits `deltas` text deltas at once; records when it emitted the first. */
function model(): FakeModel {
  const fake: FakeModel = {
    emitted: [],
    deltas: 1,
    provider: {
      async *stream() {
        fake.emitted.push(performance.now());
        for (let i = 0, n = fake.deltas; i < n; i++) yield { type: 'text', text: 'tok ' };
        yield { type: 'usage', usage: { input: 10, output: 2, cache_read: 0, cache_write: 0 } };
        yield { type: 'stop', reason: 'end_turn' };
      },
    },
  };
  return fake;
}

/** Keeps run records but drops every event: the recorder's cost without a log. */
class DroppingStore implements RunStore {
  private readonly records = new MemoryRunStore();
  private seqs = new Map<string, number>();
  create(run: Omit<Run, 'version'>) {
    return this.records.create(run);
  }
  get(id: string) {
    return this.records.get(id);
  }
  put(run: Run, expectedVersion: number) {
    return this.records.put(run, expectedVersion);
  }
  async append(id: string, events: readonly unknown[]): Promise<number> {
    const last = (this.seqs.get(id) ?? 0) + events.length;
    this.seqs.set(id, last);
    return last;
  }
  async read(): Promise<LoggedEvent[]> {
    return [];
  }
  wait(id: string, after: number, timeoutMs: number, signal?: AbortSignal) {
    return this.records.wait(id, after, timeoutMs, signal);
  }
  close() {
    return this.records.close();
  }
}

export default async function runLogBench(): Promise<void> {
  const { ir, diagnostics } = compile(SOURCE, { file: 'bench.ias' });
  if (!ir) throw new Error(`bench package does not compile: ${JSON.stringify(diagnostics)}`);
  const fake = model();
  const runtime = Runtime.fromIR(ir, { providerFor: () => fake.provider });

  const redis = await startRedis();
  const dynamo = await startDynalite();
  const stores: RunStore[] = [
    new MemoryRunStore({ maxRuns: 100_000 }),
    new DroppingStore(),
    new RedisRunStore({ url: redis.url, prefix: 'bench:' }),
    new DynamoDBRunStore({ tableName: await dynamo.createTable(), client: dynamo.client }),
  ];
  try {
    await measureVariants(runtime, fake, stores);
  } finally {
    await Promise.all(stores.map((store) => store.close()));
    await redis.stop();
    await dynamo.close();
  }
}

async function measureVariants(runtime: Runtime, fake: FakeModel, [memoryStore, droppingStore, redisStore, dynamoStore]: RunStore[]): Promise<void> {
  const app = (runs: RunStore) => createApp({ runtime: () => runtime, apiKeys: false, logger: SILENT_LOGGER, runs });
  const memory = app(memoryStore!);
  const dropping = app(droppingStore!);
  const onRedis = app(redisStore!);
  const onDynamo = app(dynamoStore!);
  const floor = new Hono();
  floor.post('/v1/agents/:name/stream', (c) =>
    streamSSE(c, async (stream) => {
      let id = 0;
      for await (const event of runtime.stream('fast', { message: 'hi' })) {
        await stream.writeSSE({ event: event.type, data: JSON.stringify(event.data), id: String(++id) });
      }
    }),
  );
  // [name, fetch, runs timed for time to first token, runs timed per event]: dynalite is a slow stand-in, so fewer
  const variants: [string, (r: Request) => Response | Promise<Response>, number, number][] = [
    ['bare SSE (no run)', (r) => floor.fetch(r), 1000, 40],
    ['run log off (store keeps nothing)', (r) => dropping.fetch(r), 1000, 40],
    ['run log on memory', (r) => memory.fetch(r), 1000, 40],
    ['run log on Redis', (r) => onRedis.fetch(r), 500, 20],
    ['run log on DynamoDB (dynalite)', (r) => onDynamo.fetch(r), 60, 5],
  ];

  /** One streamed run read to its end: ms to the first `text` event after the model's first delta, and in all. */
  const streamOnce = async (fetch: (r: Request) => Response | Promise<Response>) => {
    const t0 = performance.now();
    const res = await fetch(
      new Request('http://bench/v1/agents/fast/stream', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"message":"hi"}' }),
    );
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let first: number | undefined;
    let seen = '';
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (first === undefined) {
        seen += decoder.decode(value, { stream: true });
        if (seen.includes('event: text')) first = performance.now() - fake.emitted.at(-1)!;
      }
    }
    return { first: first ?? NaN, total: performance.now() - t0, runId: res.headers.get('x-run-id') };
  };

  // time to first token: runs of one delta
  fake.deltas = 1;
  const ttft: [string, string][] = [];
  const ttftMedian: number[] = [];
  for (const [name, fetch, runs] of variants) {
    for (let i = 0; i < runs / 5; i++) await streamOnce(fetch);
    const samples: number[] = [];
    for (let i = 0; i < runs; i++) samples.push((await streamOnce(fetch)).first);
    const s = stats(samples);
    ttftMedian.push(s.median);
    ttft.push([name, `${ms(s.median)} median, ${ms(s.p99)} p99`]);
  }
  for (const at of [2, 3, 4]) ttft.push([`added by the ${variants[at]![0].slice(4)} (median)`, signedMs(ttftMedian[at]! - ttftMedian[0]!)]);
  section('Streamed run: time to first token (model delta → client reads `text`, in-process)', ttft);

  // per-event cost: runs of 1000 deltas, time per event
  fake.deltas = 1000;
  const perEvent: [string, string][] = [];
  const perEventMedian: number[] = [];
  for (const [name, fetch, , runs] of variants) {
    for (let i = 0; i < 2; i++) await streamOnce(fetch);
    const samples: number[] = [];
    for (let i = 0; i < runs; i++) samples.push((await streamOnce(fetch)).total / (fake.deltas + 2));
    const s = stats(samples);
    perEventMedian.push(s.median);
    perEvent.push([name, `${ms(s.median)} per event median, ${ms(s.p99)} p99`]);
  }
  perEvent.push(['added per event by the recorder alone (median)', signedMs(perEventMedian[1]! - perEventMedian[0]!)]);
  for (const at of [2, 3, 4])
    perEvent.push([`added per event by the ${variants[at]![0].slice(4)} (median)`, signedMs(perEventMedian[at]! - perEventMedian[0]!)]);
  perEvent.push(['goal', '≤ 1 ms median added per event on memory and Redis']);
  section('Streamed run of 1000 text deltas: cost per event (in-process)', perEvent);

  // resume latency: a finished run of 1000 deltas, reconnect after seq 500
  const { runId } = await streamOnce((r) => memory.fetch(r));
  const resume: number[] = [];
  for (let i = 0; i < 300; i++) {
    const t0 = performance.now();
    const res = await memory.fetch(new Request(`http://bench/v1/runs/${runId}/events`, { headers: { 'last-event-id': '500' } }));
    const reader = res.body!.getReader();
    await reader.read();
    resume.push(performance.now() - t0);
    await reader.cancel();
  }
  const r = stats(resume.slice(30));
  section('Resume: reconnect with Last-Event-ID to the first replayed event (memory store, finished run)', [
    ['median', ms(r.median)],
    ['p99', ms(r.p99)],
  ]);
}
