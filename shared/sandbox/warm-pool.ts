/**
 * The warm pool: per key (python; javascript per memory size), a few
 * pre-started single-use sandbox processes waiting for code. Taking one
 * starts its replacement in the background. Keys for javascript memory sizes
 * are created on first use and the least recently used is dropped beyond
 * `maxKeys`, so the number of idle processes stays bounded.
 */
import type { SandboxProcess } from './sandbox-process.js';

export interface PoolStats {
  /** processes spawned for the pool */
  spawned: number;
  /** requests served by a pre-started process */
  warmHits: number;
  /** idle processes now */
  idle: number;
}

export class WarmPool {
  private readonly idle = new Map<string, SandboxProcess[]>();
  private readonly failures = new Map<string, number>();
  /** launches awaited (working directory being made), counted so concurrent fills do not over-spawn */
  private readonly pending = new Map<string, number>();
  private closed = false;
  private spawned = 0;
  private warmHits = 0;

  constructor(
    private readonly size: number,
    private readonly maxKeys: number,
    private readonly spawnFor: (key: string) => Promise<SandboxProcess>,
    private readonly onGiveUp: (key: string, error: unknown) => void,
  ) {}

  /** A pre-started process for `key` (a ready one first), or undefined. The caller refills with `fill` once its call is done, so the refill never competes with the call. */
  take(key: string): SandboxProcess | undefined {
    const list = this.idle.get(key);
    this.touch(key);
    if (!list) return undefined;
    const index = Math.max(
      0,
      list.findIndex((p) => p.isReady && p.alive),
    );
    const [proc] = list.splice(index, 1);
    if (!proc?.alive) {
      void proc?.cleanup();
      return undefined;
    }
    this.warmHits++;
    return proc;
  }

  /** Starts processes until `key` holds `size` of them. */
  fill(key: string): void {
    if (this.closed || this.size === 0) return;
    this.touch(key);
    const list = this.idle.get(key)!;
    const missing = this.size - list.length - (this.pending.get(key) ?? 0);
    for (let i = 0; i < missing; i++) this.spawnOne(key, list);
  }

  stats(): PoolStats {
    let idle = 0;
    for (const list of this.idle.values()) idle += list.length;
    return { spawned: this.spawned, warmHits: this.warmHits, idle };
  }

  /** Resolves when every idle process is ready (for benchmarks and tests). */
  async settled(): Promise<void> {
    for (;;) {
      const all = [...this.idle.values()].flat();
      await Promise.all(all.map((p) => p.ready));
      const pending = [...this.pending.values()].reduce((sum, n) => sum + n, 0);
      if (pending === 0 && [...this.idle.values()].flat().length === all.length) return;
      if (pending > 0) await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  /** Kills every idle process; nothing is started afterwards. */
  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.idle.values()].flat();
    this.idle.clear();
    await Promise.all(all.map((p) => p.cleanup()));
  }

  private touch(key: string): void {
    const list = this.idle.get(key) ?? [];
    this.idle.delete(key);
    this.idle.set(key, list); // Map order = recency
    while (this.idle.size > this.maxKeys) {
      const [oldest, stale] = this.idle.entries().next().value as [string, SandboxProcess[]];
      this.idle.delete(oldest);
      for (const p of stale) void p.cleanup();
    }
  }

  private spawnOne(key: string, list: SandboxProcess[]): void {
    this.pending.set(key, (this.pending.get(key) ?? 0) + 1);
    this.spawned++;
    const settle = () => this.pending.set(key, (this.pending.get(key) ?? 1) - 1);
    this.spawnFor(key).then(
      (proc) => {
        settle();
        if (this.closed || this.idle.get(key) !== list) {
          void proc.cleanup();
          return;
        }
        list.push(proc);
        void proc.ready.then(() => {
          if (proc.isReady) this.failures.set(key, 0);
        });
        void proc.exited.then(() => this.onIdleDeath(key, list, proc));
      },
      (error: unknown) => {
        settle();
        if (!this.closed) this.onGiveUp(key, error);
      },
    );
  }

  /** An idle process that dies (killed from outside, failed start) is replaced, but not forever. */
  private onIdleDeath(key: string, list: SandboxProcess[], proc: SandboxProcess): void {
    if (this.closed) return; // killed by close(): an ordered shutdown, not a failure
    const at = list.indexOf(proc);
    if (at < 0) return; // it was taken, or the key dropped
    list.splice(at, 1);
    void proc.cleanup();
    const failures = (this.failures.get(key) ?? 0) + 1;
    this.failures.set(key, failures);
    if (failures >= 3) {
      this.onGiveUp(key, new Error('pre-started sandbox processes keep dying before use'));
      return;
    }
    this.fill(key);
  }
}
