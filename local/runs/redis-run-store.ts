/**
 * A `RunStore` on Redis (node-redis), shared by every replica of a runtime.
 * Per run, under one hash tag so a cluster keeps them in one slot:
 * - `<prefix>{<id>}`: a hash with the record's `version` and its JSON, so the
 *   compare-and-set script compares a field instead of decoding the record;
 * - `<prefix>{<id>}:events`: the log as a list of event JSON, seq = index + 1.
 *   A list (not a stream) because seqs are dense and start at 1: LRANGE reads
 *   "after n, at most k" by index directly, with no id mapping;
 * - `<prefix>{<id>}:bytes`: the log's size, for the bytes bound.
 * Writes are Lua scripts, so CAS, the bounds check and the push are atomic;
 * all keys expire at the record's `expires_at`. Every write publishes on the
 * channel `<prefix>{<id>}`: `wait` listens there on one subscriber connection
 * per store (a duplicate of the client), so a write on any instance wakes the
 * readers on all of them, including record changes that a blocking XREAD on
 * the log would not see, and fifty readers cost one connection, not fifty.
 */
import { openRedisClient, quietClient, type RedisClient } from '../redis-client.js';
import { runConflict, runExists, runNotFound } from '../../shared/runs/store-errors.js';
import { AgentSpecError, ErrorCode } from '../../shared/errors.js';
import {
  checkBounds,
  encodeEvents,
  expiryOf,
  isExpired,
  nextVersion,
  resolveLimits,
  type ResolvedLimits,
  type RunStoreLimits,
} from '../../shared/runs/store-limits.js';
import type { LoggedEvent, Run, RunStore } from '../../shared/runs/types.js';

export interface RedisRunStoreOptions extends RunStoreLimits {
  /** `redis://host:port/db`; ignored when `client` is given */
  url?: string;
  /** an existing client (not closed by `close()`; its duplicate for `wait` is) */
  client?: RedisClient;
  /** key prefix, default `agentspec:run:` */
  prefix?: string;
}

// KEYS: record, events, bytes; ARGV: mode ('create' | 'put'), expected version, new version, record JSON, expireat, channel
const WRITE_SCRIPT = `
local current = redis.call('HGET', KEYS[1], 'version')
if ARGV[1] == 'create' then
  if current then return 'exists' end
  redis.call('DEL', KEYS[2], KEYS[3])
else
  if not current then return 'not_found' end
  if tonumber(current) ~= tonumber(ARGV[2]) then return 'conflict:' .. current end
end
redis.call('HSET', KEYS[1], 'version', ARGV[3], 'json', ARGV[4])
redis.call('EXPIREAT', KEYS[1], ARGV[5])
redis.call('EXPIREAT', KEYS[2], ARGV[5])
redis.call('EXPIREAT', KEYS[3], ARGV[5])
redis.call('PUBLISH', ARGV[6], 'run')
return 'ok'
`;

// KEYS: record, events, bytes; ARGV: max events, max bytes, channel, bytes added, event JSON…
const APPEND_SCRIPT = `
if redis.call('EXISTS', KEYS[1]) == 0 then return {'not_found', 0} end
local count = redis.call('LLEN', KEYS[2])
local n = #ARGV - 4
if count + n > tonumber(ARGV[1]) then return {'events', count} end
local bytes = tonumber(redis.call('GET', KEYS[3]) or '0')
if bytes + tonumber(ARGV[4]) > tonumber(ARGV[2]) then return {'bytes', bytes} end
if n == 0 then return {'ok', count} end
for i = 5, #ARGV, 1000 do redis.call('RPUSH', KEYS[2], unpack(ARGV, i, math.min(i + 999, #ARGV))) end
redis.call('SET', KEYS[3], bytes + tonumber(ARGV[4]), 'KEEPTTL')
if count == 0 then
  local ttl = redis.call('PTTL', KEYS[1])
  if ttl > 0 then
    redis.call('PEXPIRE', KEYS[2], ttl)
    redis.call('PEXPIRE', KEYS[3], ttl)
  end
end
redis.call('PUBLISH', ARGV[3], count + n)
return {'ok', count + n}
`;

interface Channel {
  wakers: Set<() => void>;
  listener: () => void;
  subscribed: Promise<void>;
}

/** Runs and their logs in Redis, with compare-and-set writes, TTLs and cross-instance `wait`. */
export class RedisRunStore implements RunStore {
  private readonly client: RedisClient;
  private readonly owned: boolean;
  private readonly prefix: string;
  private readonly limits: ResolvedLimits;
  private subscriber: Promise<RedisClient> | undefined;
  private readonly channels = new Map<string, Channel>();
  private connecting: Promise<unknown> | undefined;

  constructor(options: RedisRunStoreOptions) {
    this.prefix = options.prefix ?? 'agentspec:run:';
    this.limits = resolveLimits(options);
    if (options.client) {
      this.client = options.client;
      this.owned = false;
    } else {
      if (!options.url) throw new AgentSpecError(ErrorCode.ConfigError, 'The Redis run store needs a url (REDIS_URL) or a client.');
      this.client = openRedisClient(options.url);
      this.owned = true;
    }
  }

  async create(run: Omit<Run, 'version'>): Promise<Run> {
    const stored: Run = { ...run, version: 1, expires_at: expiryOf(run, Date.now(), this.limits.ttlSeconds) };
    if ((await this.write('create', stored, 0)) === 'exists') {
      throw runExists(run.id);
    }
    return structuredClone(stored);
  }

  async get(id: string): Promise<Run | undefined> {
    const key = this.key(id);
    const [raw, length] = await this.call('get', () => Promise.all([this.client.hGet(key, 'json'), this.client.lLen(`${key}:events`)]));
    if (typeof raw !== 'string') return undefined;
    const run = JSON.parse(raw) as Run;
    return isExpired(run.expires_at, Date.now()) ? undefined : { ...run, last_seq: length };
  }

  async put(run: Run, expectedVersion: number): Promise<Run> {
    const stored = nextVersion(run, expectedVersion, Date.now(), this.limits.ttlSeconds);
    const outcome = await this.write('put', stored, expectedVersion);
    if (outcome === 'not_found') throw runNotFound(run.id);
    if (outcome.startsWith('conflict:')) {
      const found = Number(outcome.slice('conflict:'.length));
      throw runConflict(run.id, expectedVersion, found);
    }
    return structuredClone(stored);
  }

  async append(id: string, events: readonly { type: string; data: unknown }[]): Promise<number> {
    const encoded = encodeEvents(events);
    const added = encoded.reduce((sum, event) => sum + event.bytes, 0);
    const args = [String(this.limits.maxEvents), String(this.limits.maxBytes), this.key(id), String(added), ...encoded.map((event) => event.json)];
    const out = (await this.call('append', () => this.client.eval(APPEND_SCRIPT, { keys: this.keys(id), arguments: args }))) as [string, number];
    const [outcome, logged] = out;
    if (outcome === 'not_found') throw runNotFound(id);
    // the script refused without writing; the shared check words the error
    if (outcome !== 'ok') checkBounds(id, outcome === 'events' ? { events: logged, bytes: 0 } : { events: 0, bytes: logged }, encoded, this.limits);
    return Number(logged);
  }

  async read(id: string, after: number, limit?: number): Promise<LoggedEvent[]> {
    const from = Math.max(0, Math.floor(after));
    if (limit !== undefined && limit <= 0) return [];
    const to = limit === undefined ? -1 : from + limit - 1;
    const raw = await this.call('read', () => this.client.lRange(this.key(id) + ':events', from, to));
    return raw.map((json, index) => {
      const { type, data } = JSON.parse(json) as { type: string; data: unknown };
      return { seq: from + index + 1, type, data };
    });
  }

  async wait(id: string, after: number, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return;
    const name = this.key(id);
    let wake!: () => void;
    const woken = new Promise<void>((resolve) => (wake = resolve));
    const channel = this.listen(name, wake);
    const timer = setTimeout(wake, Math.max(0, timeoutMs));
    const onAbort = (): void => wake();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      // subscribed first, then looked: an append between the two still wakes this wait
      await channel.subscribed;
      const logged = await this.call('wait', () => this.client.lLen(name + ':events'));
      if (logged <= after) await woken;
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      this.unlisten(name, wake);
    }
  }

  async close(): Promise<void> {
    for (const channel of this.channels.values()) for (const wake of channel.wakers) wake();
    this.channels.clear();
    const subscriber = await this.subscriber?.catch(() => undefined);
    this.subscriber = undefined;
    await shut(subscriber);
    if (this.owned) await shut(this.client);
  }

  private key(id: string): string {
    return `${this.prefix}{${id}}`;
  }

  private keys(id: string): string[] {
    const key = this.key(id);
    return [key, `${key}:events`, `${key}:bytes`];
  }

  private async write(mode: 'create' | 'put', run: Run, expected: number): Promise<string> {
    const args = [mode, String(expected), String(run.version), JSON.stringify(run), String(run.expires_at), this.key(run.id)];
    return String(await this.call(mode, () => this.client.eval(WRITE_SCRIPT, { keys: this.keys(run.id), arguments: args })));
  }

  /** Joins `wake` to the channel's wakers, subscribing on the first one. */
  private listen(name: string, wake: () => void): Channel {
    let channel = this.channels.get(name);
    if (!channel) {
      const wakers = new Set<() => void>();
      const listener = (): void => {
        for (const waker of [...wakers]) waker();
      };
      const subscribed = this.subscribe().then((subscriber) => subscriber.subscribe(name, listener));
      channel = { wakers, listener, subscribed };
      this.channels.set(name, channel);
    }
    channel.wakers.add(wake);
    return channel;
  }

  /** Drops `wake`; the last one out unsubscribes, so no listener outlives its waits. */
  private unlisten(name: string, wake: () => void): void {
    const channel = this.channels.get(name);
    if (!channel) return;
    channel.wakers.delete(wake);
    if (channel.wakers.size > 0) return;
    this.channels.delete(name);
    void channel.subscribed
      .then(() => this.subscriber)
      .then((subscriber) => subscriber?.unsubscribe(name, channel.listener))
      .catch(() => undefined);
  }

  private subscribe(): Promise<RedisClient> {
    this.subscriber ??= (async () => {
      const subscriber = quietClient(this.client.duplicate());
      await subscriber.connect();
      return subscriber;
    })();
    this.subscriber.catch(() => (this.subscriber = undefined));
    return this.subscriber.catch((error: unknown) => {
      throw unavailable('wait', error);
    });
  }

  private async call<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    try {
      if (this.owned && !this.client.isOpen) {
        this.connecting ??= this.client.connect().finally(() => (this.connecting = undefined));
        await this.connecting;
      }
      return await fn();
    } catch (error) {
      if (error instanceof AgentSpecError) throw error;
      throw unavailable(operation, error);
    }
  }
}

/** A down Redis must surface as an error within seconds, not as endless reconnects. */
async function shut(client: RedisClient | undefined): Promise<void> {
  if (!client) return;
  if (client.isOpen) await client.close();
  else client.destroy();
}

function unavailable(operation: string, error: unknown): AgentSpecError {
  return new AgentSpecError(ErrorCode.Unavailable, `The Redis run store failed to ${operation}: ${error instanceof Error ? error.message : String(error)}.`, {
    cause: error,
  });
}

/** The Redis run store when `REDIS_URL` is set (the sessions' setting), else undefined so the caller keeps its default. */
export function createRunStoreFromEnv(
  env: NodeJS.ProcessEnv = process.env,
  options: Omit<RedisRunStoreOptions, 'url' | 'client'> = {},
): RedisRunStore | undefined {
  const url = env.REDIS_URL;
  return url ? new RedisRunStore({ url, ...options }) : undefined;
}
