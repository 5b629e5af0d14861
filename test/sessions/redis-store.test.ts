import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createClient } from 'redis';
import { RedisSessionStore, createSessionStoreFromEnv } from '../../local/sessions/redis-store.js';
import { isAgentSpecError } from '../../shared/errors.js';
import { startRedis, type RedisServer } from '../helpers/redis.js';
import { runSessionStoreContract } from './session-store.contract.js';

let redis: RedisServer;
const stores: RedisSessionStore[] = [];

function newStore(options: { ttlSeconds?: number; prefix?: string } = {}): RedisSessionStore {
  const store = new RedisSessionStore({ url: redis.url, prefix: `t${stores.length}:`, ...options });
  stores.push(store);
  return store;
}

beforeAll(async () => {
  redis = await startRedis();
});

afterAll(async () => {
  for (const store of stores) await store.close();
  await redis?.stop();
});

// The shared contract, a fresh key prefix per test (the clock is Redis's own: expiry waits for real).
runSessionStoreContract('RedisSessionStore on redis-server', async () => {
  const store = newStore();
  return { store, cleanup: () => store.close() };
});

describe('RedisSessionStore', () => {
  it('creates, reads and writes a session with a version that increments', async () => {
    // Prepare
    const store = newStore();
    const created = await store.create('support');
    // Act
    const written = await store.put({ ...created, messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }] }, 0);
    const read = await store.get('support', created.id);
    // Assess
    expect(written.version).toBe(1);
    expect(read?.version).toBe(1);
    expect(read?.messages).toEqual([{ role: 'user', content: [{ type: 'text', text: 'hi' }] }]);
  });

  it('rejects a stale write with conflict and keeps the winner', async () => {
    const store = newStore();
    const created = await store.create('support');
    await store.put({ ...created, summary: 'first' }, 0);
    const error = await store.put({ ...created, summary: 'second' }, 0).catch((e: unknown) => e);
    expect(isAgentSpecError(error) && error.code).toBe('conflict');
    expect((await store.get('support', created.id))?.summary).toBe('first');
  });

  it('lets exactly one of many concurrent writers of the same version win', async () => {
    const store = newStore();
    const created = await store.create('support');
    const results = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => store.put({ ...created, summary: `w${i}` }, 0)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
  });

  it('refuses to create a session id that exists and to put one that does not', async () => {
    const store = newStore();
    await store.create('a', { id: 'fixed' });
    const dup = await store.create('a', { id: 'fixed' }).catch((e: unknown) => e);
    const missing = await store.put({ id: 'nope', agent: 'a', created_at: '', updated_at: '', version: 0, messages: [] }, 0).catch((e: unknown) => e);
    expect(isAgentSpecError(dup) && dup.code).toBe('conflict');
    expect(isAgentSpecError(missing) && missing.code).toBe('not_found');
  });

  it('sets a Redis TTL from ttlSeconds and forgets the session after it', async () => {
    // Prepare
    const store = newStore({ ttlSeconds: 2, prefix: 'ttl:' });
    const created = await store.create('a');
    const raw = createClient({ url: redis.url });
    await raw.connect();
    // Act
    const ttl = await raw.pTTL(`ttl:a:${created.id}`);
    // Assess: Redis drops the key once the TTL runs out (waited for, not slept on), and the store forgets the session
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(2000);
    await vi.waitFor(async () => expect(await raw.exists(`ttl:a:${created.id}`)).toBe(0), { timeout: 5_000, interval: 100 });
    expect(await store.get('a', created.id)).toBeUndefined();
    await raw.close();
  });

  it('deletes a session and reports whether something was deleted', async () => {
    const store = newStore();
    const created = await store.create('a');
    expect(await store.delete('a', created.id)).toBe(true);
    expect(await store.delete('a', created.id)).toBe(false);
    expect(await store.get('a', created.id)).toBeUndefined();
  });

  it('fails with unavailable, not a crash, when Redis is unreachable', async () => {
    const store = new RedisSessionStore({ url: 'redis://127.0.0.1:1' });
    const error = await store.get('a', 'b').catch((e: unknown) => e);
    expect(isAgentSpecError(error) && error.code).toBe('unavailable');
    await store.close();
  });

  it('is chosen from the environment only when REDIS_URL is set', async () => {
    expect(createSessionStoreFromEnv({})).toBeUndefined();
    expect(() => createSessionStoreFromEnv({ AGENTSPEC_SESSIONS: 'redis' })).toThrow(/REDIS_URL/);
    const store = createSessionStoreFromEnv({ REDIS_URL: redis.url });
    expect(store).toBeInstanceOf(RedisSessionStore);
    await store?.close();
  });
});
