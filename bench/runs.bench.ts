/**
 * Runs: what durability costs per event in each run store, side by side in
 * one run — `append` of single events and of the batches a recorder
 * coalesces (8 events, cost per event), and the wake-up latency of a reader
 * (`wait` resolving after another instance's `append`, then its `read`).
 * Memory in-process, Redis on a local redis-server, DynamoDB on dynalite.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { DynamoDBRunStore } from '../functions/lib/runs/dynamodb-run-store.js';
import { RedisRunStore } from '../local/runs/redis-run-store.js';
import { MemoryRunStore } from '../shared/runs/memory-run-store.js';
import type { RunStore } from '../shared/runs/types.js';
import { startDynalite } from '../test/aws/helpers/dynalite-table.js';
import { startRedis } from '../test/helpers/redis.js';
import { measure, ms, section, stats } from './harness.js';

const BATCH = 8;
const delta = (i: number) => ({ type: 'text', data: { text: `token ${i} ` } });

async function newRun(store: RunStore): Promise<string> {
  const id = randomUUID();
  const at = new Date().toISOString();
  await store.create({ id, kind: 'stream', target: 'bench', status: 'running', created_at: at, updated_at: at, expires_at: 0 });
  return id;
}

/** Milliseconds from a writer's append on `writer` to the reader's `wait` + `read` on `reader` returning it. */
async function wakeUp(reader: RunStore, writer: RunStore, iterations: number): Promise<number[]> {
  const id = await newRun(writer);
  const samples: number[] = [];
  for (let i = 1; i <= iterations; i++) {
    const waiting = reader.wait(id, i - 1, 10_000);
    // let the reader's wait settle in (subscribe / first poll) before the clock starts
    await new Promise((resolve) => setTimeout(resolve, reader instanceof DynamoDBRunStore ? 30 : 2));
    const t0 = performance.now();
    await writer.append(id, [delta(i)]);
    await waiting;
    const events = await reader.read(id, i - 1);
    samples.push(performance.now() - t0);
    if (events.length !== 1) throw new Error(`reader saw ${events.length} events`);
  }
  return samples;
}

async function figures(name: string, store: RunStore, peer: RunStore, iterations: number): Promise<[string, string][]> {
  const single = await newRun(store);
  let i = 0;
  const one = await measure(() => store.append(single, [delta(i++)]), { iterations, warmup: 10 });
  const batched = await newRun(store);
  const batch = await measure(
    () =>
      store.append(
        batched,
        Array.from({ length: BATCH }, () => delta(i++)),
      ),
    { iterations, warmup: 10 },
  );
  const wake = stats(await wakeUp(peer, store, Math.min(100, iterations)));
  return [
    [`${name}: append, 1 event`, `median ${ms(one.median)}, p99 ${ms(one.p99)}`],
    [`${name}: append, ${BATCH} events (per event)`, `median ${ms(batch.median / BATCH)}, p99 ${ms(batch.p99 / BATCH)}`],
    [`${name}: wait → read wake-up`, `median ${ms(wake.median)}, p99 ${ms(wake.p99)}`],
  ];
}

export default async function runsBench(): Promise<void> {
  const memory = new MemoryRunStore();
  const redis = await startRedis();
  const dynamo = await startDynalite();
  const redisStore = new RedisRunStore({ url: redis.url, prefix: 'bench:' });
  const redisPeer = new RedisRunStore({ url: redis.url, prefix: 'bench:' });
  const table = await dynamo.createTable();
  const dynamoStore = new DynamoDBRunStore({ tableName: table, client: dynamo.client });
  const dynamoPeer = new DynamoDBRunStore({ tableName: table, client: dynamo.client, pollMs: 200 });
  try {
    const rows = [
      ...(await figures('memory', memory, memory, 500)),
      ...(await figures('redis', redisStore, redisPeer, 300)),
      ...(await figures('dynamodb (dynalite)', dynamoStore, dynamoPeer, 60)),
    ];
    section('Run stores: cost of durability per event (goal: ≤ 1 ms median per event on memory and Redis)', rows);
  } finally {
    await Promise.all([memory.close(), redisStore.close(), redisPeer.close(), dynamoStore.close(), dynamoPeer.close()]);
    await redis.stop();
    await dynamo.close();
  }
}
