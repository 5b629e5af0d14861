/**
 * The node-redis client the Redis stores (sessions, runs) open for a URL: a
 * down Redis surfaces as an error within seconds rather than as endless
 * reconnects, and a dropped connection never crashes the process.
 */
import { createClient } from 'redis';

export type RedisClient = ReturnType<typeof createClient>;

export function openRedisClient(url: string): RedisClient {
  return quietClient(
    createClient({
      url,
      socket: { connectTimeout: 3000, reconnectStrategy: (retries: number) => (retries >= 3 ? new Error('Redis is unreachable') : 100 * (retries + 1)) },
    }),
  );
}

/** Without an error listener node-redis would crash the process on a dropped connection. */
export function quietClient(client: RedisClient): RedisClient {
  client.on('error', () => undefined);
  return client;
}
