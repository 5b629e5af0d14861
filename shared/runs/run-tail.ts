/**
 * The recent end of a run's log kept in memory by the instance driving it,
 * so the followers on this instance (the client that started the run, other
 * readers) get events without asking the store. It holds at most `capacity`
 * events; older ones are read from the store. While the log is broken (the
 * store refused an append), an event is kept until every pinned follower has
 * read it, so the client that started the run still gets all of it.
 */
import type { LoggedEvent } from './types.js';

export class RunTail {
  private events: LoggedEvent[] = [];
  /** cursors (last seq read) of followers that must not miss an unlogged event */
  private readonly pins = new Set<{ cursor: number }>();
  private changed = deferred();
  /** incremented by every change; a follower compares it before waiting so it misses none */
  version = 0;
  /** the most events held at once, for tests and figures */
  maxHeld = 0;

  constructor(readonly capacity: number) {}

  /** seq of the first event held; undefined when empty */
  get firstSeq(): number | undefined {
    return this.events[0]?.seq;
  }

  get lastSeq(): number | undefined {
    return this.events.at(-1)?.seq;
  }

  get size(): number {
    return this.events.length;
  }

  /** The event with this seq, when held. */
  at(seq: number): LoggedEvent | undefined {
    const first = this.events[0];
    return first === undefined ? undefined : this.events[seq - first.seq];
  }

  /** Adds events (consecutive seqs); drops the oldest past capacity when `durable` or read by every pin. */
  push(events: readonly LoggedEvent[], durable: boolean): void {
    this.events.push(...events);
    this.maxHeld = Math.max(this.maxHeld, this.events.length);
    this.trim(durable);
    this.notify();
  }

  /** Whether there is room for another unlogged event (false: wait for a pinned follower to read). */
  roomFor(durable: boolean): boolean {
    this.trim(durable);
    return this.events.length < this.capacity;
  }

  pin(cursor: number): { cursor: number } {
    const pin = { cursor };
    this.pins.add(pin);
    return pin;
  }

  unpin(pin: { cursor: number }): void {
    this.pins.delete(pin);
    this.notify();
  }

  /** A pinned follower moved on. */
  advanced(): void {
    if (this.pins.size > 0) this.notify();
  }

  /** Resolves at the next push, unpin, advance or `notify()`, or when `signal` aborts. */
  next(signal?: AbortSignal): Promise<void> {
    if (!signal) return this.changed.promise;
    if (signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        signal.removeEventListener('abort', done);
        resolve();
      };
      signal.addEventListener('abort', done, { once: true });
      void this.changed.promise.then(done);
    });
  }

  notify(): void {
    this.version++;
    const changed = this.changed;
    this.changed = deferred();
    changed.resolve();
  }

  private trim(durable: boolean): void {
    let drop = this.events.length - this.capacity;
    if (drop <= 0) return;
    if (!durable) {
      const slowest = Math.min(...[...this.pins].map((p) => p.cursor));
      drop = Math.min(drop, slowest - this.events[0]!.seq + 1);
    }
    if (drop > 0) this.events.splice(0, drop);
  }
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}
