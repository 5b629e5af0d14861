import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDBRunStore } from '../../functions/lib/runs/dynamodb-run-store.js';
import { DynamoDBSessionStore } from '../../functions/lib/sessions/dynamodb-store.js';
import type { Run } from '../../shared/runs/types.js';
import { startDynalite, type DynaliteTable } from '../aws/helpers/dynalite-table.js';
import { failureOf } from '../helpers/rejection.js';
import { runRunStoreContract } from './run-store.contract.js';

let dynamo: DynaliteTable;

beforeAll(async () => {
  dynamo = await startDynalite();
});

afterAll(async () => {
  await dynamo?.close();
});

// The shared contract: two instances on one fresh table per test (the sessions table's schema); expiry waits for real.
runRunStoreContract('DynamoDBRunStore on dynalite', async (limits) => {
  const tableName = await dynamo.createTable();
  const store = new DynamoDBRunStore({ tableName, client: dynamo.client, pollMs: 20, ...limits });
  const peer = new DynamoDBRunStore({ tableName, client: dynamo.client, pollMs: 20, ...limits });
  return { store, peer, cleanup: async () => {} };
});

const newRun = (id: string, extra: Partial<Run> = {}): Omit<Run, 'version'> => {
  const at = new Date().toISOString();
  return { id, kind: 'stream', target: 'bot', status: 'running', created_at: at, updated_at: at, expires_at: 0, ...extra };
};

describe('DynamoDBRunStore against dynalite', () => {
  it('keeps a run whose checkpoint passes the item budget, across versions, and reads it back whole', async () => {
    // Prepare: a 1 KB item budget makes a 10 KB checkpoint span many parts
    const store = new DynamoDBRunStore({ tableName: await dynamo.createTable(), client: dynamo.client, maxItemBytes: 1024 });
    const checkpoint = { messages: Array.from({ length: 100 }, (_, i) => ({ role: 'user', text: `message ${i} ` + 'é'.repeat(40) })) };
    const created = await store.create(newRun('big'));
    // Act
    const waiting = await store.put({ ...created, status: 'waiting', checkpoint }, 1);
    const resumed = await store.put({ ...waiting, status: 'running', checkpoint: { ...checkpoint, turn: 2 } }, 2);
    const finished = await store.put({ ...resumed, status: 'succeeded', result: { text: 'ok' } }, 3);
    // Assess
    expect(waiting.checkpoint).toEqual(checkpoint);
    expect((await store.get('big'))?.checkpoint).toEqual({ ...checkpoint, turn: 2 });
    expect(await store.get('big')).toEqual({ ...finished, last_seq: 0 });
  });

  it('splits a large append into items under the budget and across page boundaries, in order', async () => {
    const store = new DynamoDBRunStore({ tableName: await dynamo.createTable(), client: dynamo.client, maxItemBytes: 2048 });
    await store.create(newRun('long'));
    const events = Array.from({ length: 250 }, (_, i) => ({ type: 'text', data: { text: `${i}`.padStart(40, '.') } }));
    expect(await store.append('long', events.slice(0, 7))).toBe(7);
    expect(await store.append('long', events.slice(7))).toBe(250);
    const all = await store.read('long', 0);
    expect(all.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(all.map((e) => e.data)).toEqual(events.map((e) => e.data));
    expect((await store.read('long', 150, 60)).map((e) => e.seq)).toEqual(Array.from({ length: 60 }, (_, i) => 151 + i));
  });

  it('refuses a single event larger than an item with payload_too_large', async () => {
    const store = new DynamoDBRunStore({ tableName: await dynamo.createTable(), client: dynamo.client, maxItemBytes: 2048 });
    await store.create(newRun('r'));
    const error = await failureOf(store.append('r', [{ type: 'text', data: 'x'.repeat(4096) }]));
    expect(error.code).toBe('payload_too_large');
    expect(error.details).toMatchObject({ bound: 'event' });
    expect(await store.read('r', 0)).toEqual([]);
  });

  it('shares the sessions table without touching its sessions', async () => {
    const tableName = await dynamo.createTable();
    const runs = new DynamoDBRunStore({ tableName, client: dynamo.client });
    const sessions = new DynamoDBSessionStore({ tableName, client: dynamo.client });
    const session = await sessions.create('run', { id: 'same' });
    await runs.create(newRun('same'));
    expect(await sessions.get('run', 'same')).toEqual(session);
    expect((await runs.get('same'))?.id).toBe('same');
  });
});
