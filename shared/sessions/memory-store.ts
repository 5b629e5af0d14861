/**
 * An in-process `SessionStore`: a map guarded by the same version
 * compare-and-set as the remote stores, with expiry. Sessions are copied in
 * and out, so a caller mutating what it read never changes what is stored.
 */
import { randomUUID } from 'node:crypto';
import { AgentSpecError, ErrorCode } from '../errors.js';
import type { CreateSessionOptions, Session, SessionStore } from './types.js';

export interface MemorySessionStoreOptions {
  /** lifetime of a session, refreshed by every write (default 24 h) */
  ttlSeconds?: number;
  /** epoch milliseconds; injectable so tests can move time */
  now?: () => number;
}

export const DEFAULT_SESSION_TTL_SECONDS = 24 * 60 * 60;

interface Entry {
  session: Session;
  ttlSeconds: number;
}

/** Sessions in memory with optimistic concurrency and expiry; lost when the process ends. */
export class MemorySessionStore implements SessionStore {
  private readonly entries = new Map<string, Entry>();
  private readonly ttlSeconds: number;
  private readonly now: () => number;
  private closed = false;

  constructor(options: MemorySessionStoreOptions = {}) {
    this.ttlSeconds = options.ttlSeconds ?? DEFAULT_SESSION_TTL_SECONDS;
    this.now = options.now ?? Date.now;
  }

  async create(agent: string, options: CreateSessionOptions = {}): Promise<Session> {
    this.assertOpen();
    const id = options.id ?? randomUUID();
    if (this.live(agent, id)) {
      throw new AgentSpecError(ErrorCode.Conflict, `Session "${id}" of agent "${agent}" already exists.`, { details: { agent, session_id: id } });
    }
    const ttlSeconds = options.ttlSeconds ?? this.ttlSeconds;
    const at = new Date(this.now()).toISOString();
    const session: Session = { id, agent, created_at: at, updated_at: at, version: 0, messages: [], expires_at: this.expiryFrom(ttlSeconds) };
    this.entries.set(keyOf(agent, id), { session, ttlSeconds });
    return structuredClone(session);
  }

  async get(agent: string, id: string): Promise<Session | undefined> {
    this.assertOpen();
    const entry = this.live(agent, id);
    return entry ? structuredClone(entry.session) : undefined;
  }

  async put(session: Session, expectedVersion: number): Promise<Session> {
    this.assertOpen();
    const entry = this.live(session.agent, session.id);
    if (!entry) {
      throw new AgentSpecError(ErrorCode.NotFound, `Session "${session.id}" of agent "${session.agent}" does not exist or has expired.`, {
        details: { agent: session.agent, session_id: session.id },
      });
    }
    if (entry.session.version !== expectedVersion) {
      throw new AgentSpecError(
        ErrorCode.Conflict,
        `Session "${session.id}" was changed by another writer (expected version ${expectedVersion}, found ${entry.session.version}).`,
        { details: { agent: session.agent, session_id: session.id, expected_version: expectedVersion, version: entry.session.version } },
      );
    }
    const stored: Session = {
      ...structuredClone(session),
      created_at: entry.session.created_at,
      version: expectedVersion + 1,
      updated_at: new Date(this.now()).toISOString(),
      expires_at: this.expiryFrom(entry.ttlSeconds),
    };
    entry.session = stored;
    return structuredClone(stored);
  }

  async delete(agent: string, id: string): Promise<boolean> {
    this.assertOpen();
    const existed = this.live(agent, id) !== undefined;
    this.entries.delete(keyOf(agent, id));
    return existed;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.entries.clear();
  }

  /** The entry when present and not expired; an expired one is dropped on the way. */
  private live(agent: string, id: string): Entry | undefined {
    const key = keyOf(agent, id);
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.session.expires_at !== undefined && entry.session.expires_at * 1000 <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  private expiryFrom(ttlSeconds: number): number {
    return Math.ceil(this.now() / 1000) + ttlSeconds;
  }

  private assertOpen(): void {
    if (this.closed) throw new AgentSpecError(ErrorCode.Unavailable, 'The session store is closed.');
  }
}

function keyOf(agent: string, id: string): string {
  return `${agent}\u0000${id}`;
}
