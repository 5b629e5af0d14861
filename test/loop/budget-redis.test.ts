/** Agent budgets on a real redis-server: the ledger is the deployment's session store. */
import { afterAll, beforeAll } from 'vitest';
import { RedisSessionStore } from '../../local/sessions/redis-store.js';
import { startRedis, type RedisServer } from '../helpers/redis.js';
import { budgetCases } from './budget-cases.js';

let redis: RedisServer;
const stores: RedisSessionStore[] = [];

beforeAll(async () => {
  redis = await startRedis();
});

afterAll(async () => {
  await Promise.all(stores.map((s) => s.close()));
  await redis.stop();
});

budgetCases('redis-server', async () => {
  const store = new RedisSessionStore({ url: redis.url, prefix: `budget${stores.length}:` });
  stores.push(store);
  return store;
});
