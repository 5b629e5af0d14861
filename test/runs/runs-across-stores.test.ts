/**
 * The run routes on every store, with two app instances sharing it: a
 * stream cut at each point is resumed on the other instance with exactly
 * the missing events, and an approval paused on one instance is decided on
 * the other, which resumes the run once. Memory in-process, Redis on a local
 * redis-server, DynamoDB on dynalite.
 */
import type { EventSourceMessage } from 'eventsource-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDBRunStore } from '../../functions/lib/runs/dynamodb-run-store.js';
import { RedisRunStore } from '../../local/runs/redis-run-store.js';
import { MemoryRunStore } from '../../shared/runs/memory-run-store.js';
import type { PendingApproval, RunStore } from '../../shared/runs/types.js';
import { startDynalite, type DynaliteTable } from '../aws/helpers/dynalite-table.js';
import { pausingScript, pendingApproval, type ScriptEvent } from '../helpers/fake-runtime.js';
import { startRedis, type RedisServer } from '../helpers/redis.js';
import { appWith, post, readEvents } from '../http/helpers.js';
import { gatedScript, sseReader } from '../http/runs-helpers.js';

const TOOL: ScriptEvent[] = [
  { type: 'text', data: { text: 'Let me look. ' } },
  { type: 'text', data: { text: 'One moment. ' } },
  { type: 'tool_call_start', data: { id: 't1', name: 'lookup', input: { q: 'tea' } } },
  { type: 'tool_call_end', data: { id: 't1', name: 'lookup', input: { q: 'tea' }, output: { hits: 3 }, status: 'ok', duration_ms: 4 } },
  { type: 'text', data: { text: 'Found 3.' } },
];
const ALL = ['run', 'text', 'text', 'tool_call_start', 'tool_call_end', 'text', 'done'];
const ids = (events: EventSourceMessage[]) => events.map((e) => `${e.id}:${e.event}`);

let redis: RedisServer;
let dynamo: DynaliteTable;
const opened: RunStore[] = [];

beforeAll(async () => {
  [redis, dynamo] = await Promise.all([startRedis(), startDynalite()]);
}, 60_000);

afterAll(async () => {
  await Promise.all(opened.map((store) => store.close()));
  await redis?.stop();
  await dynamo?.close();
});

/** Two handles on one store, as two instances would have. */
const STORES: [string, () => Promise<[RunStore, RunStore]>][] = [
  [
    'memory',
    async () => {
      const store = new MemoryRunStore();
      return [store, store];
    },
  ],
  ['Redis', async () => [new RedisRunStore({ url: redis.url }), new RedisRunStore({ url: redis.url })]],
  [
    'DynamoDB',
    async () => {
      const tableName = await dynamo.createTable();
      return [new DynamoDBRunStore({ tableName, client: dynamo.client, pollMs: 50 }), new DynamoDBRunStore({ tableName, client: dynamo.client, pollMs: 50 })];
    },
  ],
];

describe.each(STORES)('runs on %s, two instances', (_name, open) => {
  async function pair(): Promise<[RunStore, RunStore]> {
    const stores = await open();
    opened.push(...stores);
    return stores;
  }

  it.each([
    ['before the first event', 0],
    ['mid-text', 2],
    ['mid-tool', 4],
    ['after done', 7],
  ])(
    'a stream cut %s is resumed on the other instance with exactly the missing events',
    async (_point, seen) => {
      const [here, there] = await pair();
      const gate = gatedScript(TOOL);
      const a = appWith({ agents: { tools: gate.script } }, { runs: here });
      const b = appWith({ agents: { tools: gate.script } }, { runs: there });
      const stream = await a.app.request('/v1/agents/tools/stream', post({ message: 'tea?', detach: true }));
      const id = stream.headers.get('x-run-id')!;
      const first = sseReader(stream);
      const before: EventSourceMessage[] = [];
      for (let i = 0; i < seen; i++) {
        if (i > 0) gate.release(1);
        before.push((await first.next())!);
      }
      await first.cancel();
      const resumed = b.app.request(`/v1/runs/${id}/events`, seen > 0 ? { headers: { 'last-event-id': String(seen) } } : {});
      gate.release();

      const after = await readEvents(await resumed);

      expect([...ids(before), ...ids(after)]).toEqual(ALL.map((event, i) => `${i + 1}:${event}`));
    },
    30_000,
  );

  it('an approval paused on one instance is decided once on the other, which resumes the run', async () => {
    const [here, there] = await pair();
    const approvals = () => [pendingApproval('refund', { amount: 30 })];
    const a = appWith({ agents: { gated: pausingScript(approvals) } }, { runs: here });
    const b = appWith({ agents: { gated: pausingScript(approvals) } }, { runs: there });
    const started = await a.app.request('/v1/agents/gated/invoke', post({ message: 'refund A1' }));
    expect(started.status).toBe(202);
    const { run_id: run, approvals: pending } = (await started.json()) as { run_id: string; approvals: PendingApproval[] };
    const decision = () => b.app.request(`/v1/runs/${run}/approvals/${pending[0]!.id}`, post({ decision: 'approve' }));

    const [one, two] = await Promise.all([decision(), decision()]);

    expect([one.status, two.status].sort()).toEqual([200, 409]);
    expect(a.runtime.resumes).toHaveLength(0);
    expect(b.runtime.resumes).toHaveLength(1);
    expect(await (await a.app.request(`/v1/runs/${run}`)).json()).toMatchObject({
      status: 'succeeded',
      result: { output: `resumed: ${pending[0]!.id}=approve` },
    });
  }, 30_000);
});
