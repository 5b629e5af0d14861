/**
 * A `SessionStore` on Redis (node-redis), for runtimes with more than one
 * replica. Each session is one JSON string under `<prefix><agent>:<id>`.
 * Writes are compare-and-set on `version` inside a Lua script, so they are
 * atomic on the server without WATCH round trips; expiry is Redis's own
 * (EXPIREAT on `expires_at`), and reads filter expired values as well.
 */
import { openRedisClient } from '../redis-client.js';
import { AgentSpecError, ErrorCode } from '../../shared/errors.js';
import { expiresAfter, newSession, nowSeconds } from '../../shared/sessions/new-session.js';
import type { CreateSessionOptions, Session, SessionStore } from '../../shared/sessions/types.js';

export interface RedisSessionStoreOptions {
  /** `redis://host:port/db`; ignored when `client` is given */
  url?: string;
  /** an existing connected client (not closed by `close()`) */
  client?: RedisLikeClient;
  /** key prefix, default `agentspec:session:` */
  prefix?: string;
  /** default lifetime of a session; refreshed by every write */
  ttlSeconds?: number;
}

/** The few commands this store uses, so any node-redis client shape fits. */
export interface RedisLikeClient {
  get(key: string): Promise<string | null | unknown>;
  del(key: string | string[]): Promise<number | unknown>;
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
  connect?(): Promise<unknown>;
  close?(): Promise<unknown>;
  destroy?(): unknown;
  isOpen?: boolean;
}

// KEYS[1] key; ARGV: mode ('create' | 'put'), expected version, value, key TTL in ms (0 = none, -1 = keep the key's), now
const CAS_SCRIPT = `
local current = redis.call('GET', KEYS[1])
local now = tonumber(ARGV[5])
if current then
  local ok, decoded = pcall(cjson.decode, current)
  if ok and decoded['expires_at'] and decoded['expires_at'] ~= cjson.null and tonumber(decoded['expires_at']) <= now then
    current = false
  end
end
if ARGV[1] == 'create' then
  if current then return 'exists' end
else
  if not current then return 'not_found' end
  local decoded = cjson.decode(current)
  if tonumber(decoded['version']) ~= tonumber(ARGV[2]) then return 'conflict:' .. tostring(decoded['version']) end
end
local ttl = tonumber(ARGV[4])
if ttl > 0 then redis.call('SET', KEYS[1], ARGV[3], 'PX', ttl)
elseif ttl < 0 then redis.call('SET', KEYS[1], ARGV[3], 'KEEPTTL')
else redis.call('SET', KEYS[1], ARGV[3]) end
return 'ok'
`;

/** Sessions in Redis with compare-and-set writes and TTL. */
export class RedisSessionStore implements SessionStore {
  private readonly client: RedisLikeClient;
  private readonly owned: boolean;
  private readonly prefix: string;
  private readonly ttlSeconds: number | undefined;
  private connecting: Promise<unknown> | undefined;

  constructor(options: RedisSessionStoreOptions) {
    this.prefix = options.prefix ?? 'agentspec:session:';
    this.ttlSeconds = options.ttlSeconds;
    if (options.client) {
      this.client = options.client;
      this.owned = false;
    } else {
      if (!options.url) throw new AgentSpecError(ErrorCode.ConfigError, 'The Redis session store needs a url (REDIS_URL) or a client.');
      this.client = openRedisClient(options.url);
      this.owned = true;
    }
  }

  async create(agent: string, options: CreateSessionOptions = {}): Promise<Session> {
    const session = newSession(agent, options, this.ttlSeconds);
    const outcome = await this.cas('create', session, 0, options.ttlSeconds ?? this.ttlSeconds);
    if (outcome === 'exists') {
      throw new AgentSpecError(ErrorCode.Conflict, `Session "${session.id}" of agent "${agent}" already exists.`, {
        details: { agent, session_id: session.id },
      });
    }
    return session;
  }

  async get(agent: string, id: string): Promise<Session | undefined> {
    const raw = await this.call('get', () => this.client.get(this.key(agent, id)));
    if (typeof raw !== 'string') return undefined;
    const session = JSON.parse(raw) as Session;
    return session.expires_at !== undefined && session.expires_at <= nowSeconds() ? undefined : session;
  }

  async put(session: Session, expectedVersion: number): Promise<Session> {
    const stored: Session = { ...session, version: expectedVersion + 1, updated_at: new Date().toISOString() };
    // a store-wide lifetime slides with every write; a per-session one stays as created
    if (this.ttlSeconds !== undefined) stored.expires_at = expiresAfter(this.ttlSeconds);
    const outcome = await this.cas('put', stored, expectedVersion, this.ttlSeconds);
    if (outcome === 'not_found') {
      throw new AgentSpecError(ErrorCode.NotFound, `Session "${session.id}" of agent "${session.agent}" does not exist or has expired.`, {
        details: { agent: session.agent, session_id: session.id },
      });
    }
    if (outcome.startsWith('conflict:')) {
      const found = Number(outcome.slice('conflict:'.length));
      throw new AgentSpecError(
        ErrorCode.Conflict,
        `Session "${session.id}" was changed by another writer (expected version ${expectedVersion}, found ${found}).`,
        {
          details: { agent: session.agent, session_id: session.id, expected_version: expectedVersion, version: found },
        },
      );
    }
    return stored;
  }

  async delete(agent: string, id: string): Promise<boolean> {
    const live = await this.get(agent, id);
    const removed = await this.call('delete', () => this.client.del(this.key(agent, id)));
    return live !== undefined && Number(removed) > 0;
  }

  async close(): Promise<void> {
    if (!this.owned) return;
    if (this.client.isOpen) await this.client.close?.();
    else this.client.destroy?.();
  }

  private key(agent: string, id: string): string {
    return `${this.prefix}${agent}:${id}`;
  }

  private async cas(mode: 'create' | 'put', session: Session, expected: number, ttlSeconds: number | undefined): Promise<string> {
    // the key's TTL is the TTL itself, not the rounded-up expires_at: Redis drops it on time, the store's reads never early
    const keyTtl = ttlSeconds !== undefined ? ttlSeconds * 1000 : session.expires_at !== undefined ? -1 : 0;
    const args = [mode, String(expected), JSON.stringify(session), String(keyTtl), String(nowSeconds())];
    const out = await this.call(mode, () => this.client.eval(CAS_SCRIPT, { keys: [this.key(session.agent, session.id)], arguments: args }));
    return String(out);
  }

  private async call<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    try {
      if (this.owned && !this.client.isOpen) {
        this.connecting ??= this.client.connect?.().finally(() => (this.connecting = undefined));
        await this.connecting;
      }
      return await fn();
    } catch (error) {
      if (error instanceof AgentSpecError) throw error;
      throw new AgentSpecError(
        ErrorCode.Unavailable,
        `The Redis session store failed to ${operation}: ${error instanceof Error ? error.message : String(error)}.`,
        {
          cause: error,
        },
      );
    }
  }
}

/**
 * The Redis store when the environment asks for one (`REDIS_URL`, or
 * `AGENTSPEC_SESSIONS=redis` with `REDIS_URL`), else undefined so the caller
 * keeps its default store.
 */
export function createSessionStoreFromEnv(
  env: NodeJS.ProcessEnv = process.env,
  options: Omit<RedisSessionStoreOptions, 'url' | 'client'> = {},
): RedisSessionStore | undefined {
  const url = env.REDIS_URL;
  if (env.AGENTSPEC_SESSIONS === 'redis' && !url) {
    throw new AgentSpecError(ErrorCode.ConfigError, 'Sessions are set to "redis" but REDIS_URL is not set; set it to redis://host:port.');
  }
  return url ? new RedisSessionStore({ url, ...options }) : undefined;
}
