import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from 'redis';
import { RedisRunStore, createRunStoreFromEnv } from '../../local/runs/redis-run-store.js';
import { startRedis, type RedisServer } from '../helpers/redis.js';
import { runRunStoreContract } from './run-store.contract.js';

let redis: RedisServer;
let prefixes = 0;

beforeAll(async () => {
  redis = await startRedis();
});

afterAll(async () => {
  await redis?.stop();
});

// The shared contract: two instances (two connections) on one redis-server, a fresh key prefix per test; expiry waits for real.
runRunStoreContract('RedisRunStore on redis-server', async (limits) => {
  const prefix = `t${++prefixes}:`;
  const store = new RedisRunStore({ url: redis.url, prefix, ...limits });
  const peer = new RedisRunStore({ url: redis.url, prefix, ...limits });
  return {
    store,
    peer,
    cleanup: async () => {
      await store.close();
      await peer.close();
    },
  };
});

describe('RedisRunStore', () => {
  it('gives the record, its log and its size one TTL, set from expires_at', async () => {
    // Prepare
    const store = new RedisRunStore({ url: redis.url, prefix: 'ttl:' });
    const raw = createClient({ url: redis.url });
    await raw.connect();
    const expires = Math.ceil(Date.now() / 1000) + 100;
    const at = new Date().toISOString();
    // Act
    await store.create({ id: 'r1', kind: 'invoke', target: 'bot', status: 'running', created_at: at, updated_at: at, expires_at: expires });
    await store.append('r1', [{ type: 'run', data: { run_id: 'r1' } }]);
    // Assess
    const times = await Promise.all(['ttl:{r1}', 'ttl:{r1}:events', 'ttl:{r1}:bytes'].map((key) => raw.sendCommand(['EXPIRETIME', key])));
    expect(times).toEqual([expires, expires, expires]);
    raw.destroy();
    await store.close();
  });

  it('leaves no subscription behind once its waits are over', async () => {
    const store = new RedisRunStore({ url: redis.url, prefix: 'sub:' });
    const raw = createClient({ url: redis.url });
    await raw.connect();
    const at = new Date().toISOString();
    await store.create({ id: 'r1', kind: 'invoke', target: 'bot', status: 'running', created_at: at, updated_at: at, expires_at: 0 });
    const waits = Array.from({ length: 5 }, () => store.wait('r1', 0, 60_000));
    await store.append('r1', [{ type: 'text', data: 'x' }]);
    await Promise.all(waits);
    await expect.poll(() => raw.pubSubNumSub('sub:{r1}')).toEqual({ 'sub:{r1}': 0 });
    raw.destroy();
    await store.close();
  });

  it('is chosen from the environment only when REDIS_URL is set', async () => {
    expect(createRunStoreFromEnv({})).toBeUndefined();
    const store = createRunStoreFromEnv({ REDIS_URL: redis.url });
    expect(store).toBeInstanceOf(RedisRunStore);
    await store?.close();
  });

  it('fails with unavailable, not a hang, when Redis is unreachable', async () => {
    const store = new RedisRunStore({ url: 'redis://127.0.0.1:1' });
    await expect(store.get('r1')).rejects.toMatchObject({ code: 'unavailable' });
    await store.close();
  });
});
