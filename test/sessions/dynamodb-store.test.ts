import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DynamoDBSessionStore } from '../../functions/lib/sessions/dynamodb-store.js';
import type { Message } from '../../shared/llm/types.js';
import { isAgentSpecError } from '../../shared/errors.js';
import { startDynalite, type DynaliteTable } from '../aws/helpers/dynalite-table.js';
import { runSessionStoreContract } from './session-store.contract.js';

let dynamo: DynaliteTable;

beforeAll(async () => {
  dynamo = await startDynalite();
});

afterAll(async () => {
  await dynamo?.close();
});

const userText = (text: string): Message => ({ role: 'user', content: [{ type: 'text', text }] });
const assistantText = (text: string): Message => ({ role: 'assistant', content: [{ type: 'text', text }] });
const toolUse = (id: string): Message => ({ role: 'assistant', content: [{ type: 'tool_use', id, name: 'lookup', input: { id } }] });
const toolResult = (id: string, content: string): Message => ({ role: 'user', content: [{ type: 'tool_result', tool_use_id: id, content }] });

async function newStore(options: { ttlSeconds?: number; maxItemBytes?: number } = {}): Promise<DynamoDBSessionStore> {
  return new DynamoDBSessionStore({ tableName: await dynamo.createTable(), client: dynamo.client, ...options });
}

// The shared contract, one fresh table per test (the store's clock is real: expiry waits 2 s).
runSessionStoreContract('DynamoDBSessionStore on dynalite', async () => ({ store: await newStore(), cleanup: async () => {} }));

describe('DynamoDBSessionStore against dynalite', () => {
  it('never gives a session less than its TTL, even created at the end of a second', async () => {
    // Prepare: the clock reads 999 ms into a second while the session is built
    const store = await newStore();
    const at = 1_900_000_000_999;
    const clock = vi.spyOn(Date, 'now').mockReturnValue(at);
    // Act
    const creating = store.create('bot', { ttlSeconds: 1 });
    clock.mockRestore();
    const created = await creating;
    // Assess: expires_at (whole seconds) is at least a full second away
    expect(created.expires_at! * 1000 - at).toBeGreaterThanOrEqual(1000);
  });

  it('round-trips a session and bumps the version on each write', async () => {
    // Prepare
    const store = await newStore();
    const created = await store.create('bot');
    // Act
    const first = await store.put({ ...created, messages: [userText('hi'), assistantText('hello')] }, 0);
    const read = await store.get('bot', created.id);
    // Assess
    expect(first.version).toBe(1);
    expect(read?.version).toBe(1);
    expect(read?.messages).toEqual([userText('hi'), assistantText('hello')]);
  });

  it('keeps every message when concurrent writers retry on conflict', async () => {
    // Prepare
    const store = await newStore();
    const { id } = await store.create('bot');
    const writers = 8;
    // Act: each writer re-reads and re-applies until its conditional write wins
    await Promise.all(
      Array.from({ length: writers }, async (_, i) => {
        for (;;) {
          const current = (await store.get('bot', id))!;
          try {
            await store.put({ ...current, messages: [...current.messages, userText(`m${i}`)] }, current.version);
            return;
          } catch (error) {
            if (!isAgentSpecError(error, 'conflict')) throw error;
          }
        }
      }),
    );
    // Assess
    const final = (await store.get('bot', id))!;
    expect(final.version).toBe(writers);
    expect(final.messages.map((m) => (m.content[0] as { text: string }).text).sort()).toEqual(Array.from({ length: writers }, (_, i) => `m${i}`).sort());
  });

  it('rejects a stale version with conflict and a missing session with not_found', async () => {
    const store = await newStore();
    const session = await store.create('bot');
    await store.put(session, 0);
    await expect(store.put(session, 0)).rejects.toMatchObject({ code: 'conflict' });
    await expect(store.put({ ...session, id: 'nope' }, 0)).rejects.toMatchObject({ code: 'not_found' });
  });

  it('hides expired sessions even before DynamoDB TTL deletes them and writes expires_at', async () => {
    // Prepare
    const store = await newStore();
    const live = await store.create('bot', { ttlSeconds: 3600 });
    const gone = await store.create('bot', { ttlSeconds: -1 });
    // Act / Assess
    expect((await store.get('bot', live.id))?.expires_at).toBeGreaterThan(Date.now() / 1000);
    expect(await store.get('bot', gone.id)).toBeUndefined();
    await expect(store.put(gone, 0)).rejects.toMatchObject({ code: 'not_found' });
    expect(await store.delete('bot', gone.id)).toBe(false);
  });

  it('slides the store-wide TTL forward on every write', async () => {
    const store = await newStore({ ttlSeconds: 100 });
    const session = await store.create('bot');
    const written = await store.put({ ...session, expires_at: 1 }, 0);
    expect(written.expires_at).toBeGreaterThanOrEqual(Math.floor(Date.now() / 1000) + 99);
  });

  it('deletes a session once', async () => {
    const store = await newStore();
    const session = await store.create('bot');
    expect(await store.delete('bot', session.id)).toBe(true);
    expect(await store.delete('bot', session.id)).toBe(false);
    expect(await store.get('bot', session.id)).toBeUndefined();
  });

  it('refuses to create over a live session with the same id', async () => {
    const store = await newStore();
    await store.create('bot', { id: 'fixed' });
    await expect(store.create('bot', { id: 'fixed' })).rejects.toMatchObject({ code: 'conflict' });
  });
});

describe('DynamoDBSessionStore item size', () => {
  it('never fails on a session bigger than the 400 KB item limit: drops the oldest turns, keeping tool pairs', async () => {
    // Prepare: ~40 turns of 20 KB each (≈ 800 KB), with tool use in every turn
    const store = await newStore();
    const session = await store.create('bot');
    const big = 'x'.repeat(20_000);
    const messages: Message[] = [];
    for (let i = 0; i < 40; i++) messages.push(userText(`q${i} ${big}`), toolUse(`t${i}`), toolResult(`t${i}`, big), assistantText(`a${i}`));
    // Act
    const stored = await store.put({ ...session, messages }, 0);
    const read = (await store.get('bot', session.id))!;
    // Assess
    expect(Buffer.byteLength(JSON.stringify(read.messages))).toBeLessThan(400 * 1024);
    expect(read.messages).toEqual(stored.messages);
    expect(read.messages.length).toBeLessThan(messages.length);
    expect(read.messages.at(-1)).toEqual(assistantText('a39'));
    const first = read.messages[0]!;
    expect(first.role).toBe('user');
    expect(first.content.some((b) => b.type === 'tool_result')).toBe(false);
    const uses = read.messages.flatMap((m) => m.content.filter((b) => b.type === 'tool_use').map((b) => b.id));
    const results = read.messages.flatMap((m) => m.content.filter((b) => b.type === 'tool_result').map((b) => b.tool_use_id));
    expect(results).toEqual(uses);
  });

  it('truncates a single turn too big to fit instead of failing', async () => {
    const store = await newStore({ maxItemBytes: 8 * 1024 });
    const session = await store.create('bot');
    const stored = await store.put({ ...session, messages: [userText('y'.repeat(50_000))] }, 0);
    const text = (stored.messages[0]!.content[0] as { text: string }).text;
    expect(text.length).toBeLessThan(8 * 1024);
    expect(text).toMatch(/truncated/);
    expect((await store.get('bot', session.id))?.messages).toEqual(stored.messages);
  });
});
