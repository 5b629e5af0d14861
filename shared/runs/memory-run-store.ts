/**
 * An in-process `RunStore`: run records under the same version
 * compare-and-set as the remote stores, each run's log as an array of event
 * JSON, and `wait` woken by in-process notification. Records and events are
 * copied in and out. Memory stays bounded: logs have the limits of
 * store-limits.ts, expired runs are dropped, and past `maxRuns` the oldest
 * finished run is evicted (a new run is refused when every kept run is live).
 */
import { runConflict, runExists, runNotFound } from './store-errors.js';
import { AgentSpecError, ErrorCode } from '../errors.js';
import { checkBounds, encodeEvents, expiryOf, isExpired, nextVersion, resolveLimits, type ResolvedLimits, type RunStoreLimits } from './store-limits.js';
import { FINAL_RUN_STATUSES, type LoggedEvent, type Run, type RunStore } from './types.js';

export interface MemoryRunStoreOptions extends RunStoreLimits {
  /** runs kept at most (default 10,000) */
  maxRuns?: number;
  /** epoch milliseconds; injectable so tests can move time */
  now?: () => number;
}

export const DEFAULT_MAX_RUNS = 10_000;

/** Expired runs are swept at most this often (they are also dropped when touched). */
const SWEEP_INTERVAL_MS = 60_000;

interface Entry {
  run: Run;
  /** JSON of each logged event; seq = index + 1 */
  events: string[];
  bytes: number;
}

/** Runs and their logs in memory; lost when the process ends. */
export class MemoryRunStore implements RunStore {
  private readonly entries = new Map<string, Entry>();
  /** ids of finished runs, oldest finish first: the eviction order */
  private readonly finished = new Set<string>();
  private readonly waiters = new Map<string, Set<() => void>>();
  private readonly limits: ResolvedLimits;
  private readonly maxRuns: number;
  private readonly now: () => number;
  private lastSweep: number;
  private closed = false;

  constructor(options: MemoryRunStoreOptions = {}) {
    this.limits = resolveLimits(options);
    this.maxRuns = options.maxRuns ?? DEFAULT_MAX_RUNS;
    this.now = options.now ?? Date.now;
    this.lastSweep = this.now();
  }

  async create(run: Omit<Run, 'version'>): Promise<Run> {
    this.assertOpen();
    if (this.live(run.id)) throw runExists(run.id);
    this.makeRoom();
    const stored: Run = { ...structuredClone(run), version: 1, expires_at: expiryOf(run, this.now(), this.limits.ttlSeconds) };
    this.entries.set(run.id, { run: stored, events: [], bytes: 0 });
    this.track(stored);
    this.notify(run.id);
    return structuredClone(stored);
  }

  async get(id: string): Promise<Run | undefined> {
    this.assertOpen();
    const entry = this.live(id);
    return entry ? { ...structuredClone(entry.run), last_seq: entry.events.length } : undefined;
  }

  async put(run: Run, expectedVersion: number): Promise<Run> {
    this.assertOpen();
    const entry = this.live(run.id);
    if (!entry) throw runNotFound(run.id);
    if (entry.run.version !== expectedVersion) {
      throw runConflict(run.id, expectedVersion, entry.run.version);
    }
    const stored: Run = { ...nextVersion(structuredClone(run), expectedVersion, this.now(), this.limits.ttlSeconds), created_at: entry.run.created_at };
    entry.run = stored;
    this.track(stored);
    this.notify(run.id);
    return structuredClone(stored);
  }

  async append(id: string, events: readonly { type: string; data: unknown }[]): Promise<number> {
    this.assertOpen();
    const entry = this.live(id);
    if (!entry) throw runNotFound(id);
    const encoded = encodeEvents(events);
    checkBounds(id, { events: entry.events.length, bytes: entry.bytes }, encoded, this.limits);
    for (const event of encoded) {
      entry.events.push(event.json);
      entry.bytes += event.bytes;
    }
    if (encoded.length > 0) this.notify(id);
    return entry.events.length;
  }

  async read(id: string, after: number, limit?: number): Promise<LoggedEvent[]> {
    this.assertOpen();
    const entry = this.live(id);
    if (!entry) return [];
    const from = Math.max(0, Math.floor(after));
    const to = limit === undefined ? entry.events.length : Math.min(entry.events.length, from + Math.max(0, limit));
    const out: LoggedEvent[] = [];
    for (let index = from; index < to; index++) {
      const { type, data } = JSON.parse(entry.events[index]!) as { type: string; data: unknown };
      out.push({ seq: index + 1, type, data });
    }
    return out;
  }

  wait(id: string, after: number, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    this.assertOpen();
    const entry = this.live(id);
    if ((entry && entry.events.length > after) || signal?.aborted) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        const set = this.waiters.get(id);
        set?.delete(done);
        if (set?.size === 0) this.waiters.delete(id);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, timeoutMs));
      signal?.addEventListener('abort', done, { once: true });
      let set = this.waiters.get(id);
      if (!set) this.waiters.set(id, (set = new Set()));
      set.add(done);
    });
  }

  /** Pending `wait` calls, all runs together (tests check nothing leaks). */
  get waiting(): number {
    let count = 0;
    for (const set of this.waiters.values()) count += set.size;
    return count;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const set of [...this.waiters.values()]) for (const wake of [...set]) wake();
    this.entries.clear();
    this.finished.clear();
  }

  private notify(id: string): void {
    const set = this.waiters.get(id);
    if (set) for (const wake of [...set]) wake();
  }

  /** Keeps the eviction order: a run joins `finished` when it ends (again last if rewritten). */
  private track(run: Run): void {
    this.finished.delete(run.id);
    if (FINAL_RUN_STATUSES.includes(run.status)) this.finished.add(run.id);
  }

  /** The entry when present and not expired; an expired one is dropped on the way. */
  private live(id: string): Entry | undefined {
    const entry = this.entries.get(id);
    if (!entry) return undefined;
    if (isExpired(entry.run.expires_at, this.now())) {
      this.drop(id);
      return undefined;
    }
    return entry;
  }

  private drop(id: string): void {
    this.entries.delete(id);
    this.finished.delete(id);
  }

  /** Before a new run: sweeps expired runs now and then, and evicts the oldest finished one at the cap. */
  private makeRoom(): void {
    const now = this.now();
    if (now - this.lastSweep >= SWEEP_INTERVAL_MS || this.entries.size >= this.maxRuns) {
      this.lastSweep = now;
      for (const [id, entry] of this.entries) if (isExpired(entry.run.expires_at, now)) this.drop(id);
    }
    while (this.entries.size >= this.maxRuns) {
      const oldest = this.finished.values().next();
      if (oldest.done) {
        throw new AgentSpecError(
          ErrorCode.Unavailable,
          `The run store holds ${this.entries.size} unfinished runs, its limit; try again when some have finished.`,
          {
            details: { limit: this.maxRuns },
          },
        );
      }
      this.drop(oldest.value);
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new AgentSpecError(ErrorCode.Unavailable, 'The run store is closed.');
  }
}
