/**
 * The run-store contract: one suite every `RunStore` runs (memory, Redis,
 * DynamoDB). It uses only the public interface, so a store passes it by
 * behaving, not by how it is built.
 *
 * @example
 * runRunStoreContract('MemoryRunStore', async (limits) => { const store = new MemoryRunStore(limits); return { store, peer: store, cleanup: () => store.close() }; });
 */
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RunStoreLimits } from '../../shared/runs/store-limits.js';
import type { Run, RunStore } from '../../shared/runs/types.js';
import { failureOf } from '../helpers/rejection.js';

export interface RunStoreFixture {
  store: RunStore;
  /** a second instance on the same backend (memory: the same store), for what another server sees */
  peer: RunStore;
  cleanup(): Promise<void>;
  /** Moves the store's clock forward; without it the expiry test waits for real (about 2 s). */
  advance?(seconds: number): Promise<void>;
}

/** A fresh store (and peer) with the given limits. */
export type RunStoreFactory = (limits: RunStoreLimits) => Promise<RunStoreFixture>;

const nowSeconds = (): number => Math.ceil(Date.now() / 1000);

function newRun(overrides: Partial<Omit<Run, 'version'>> = {}): Omit<Run, 'version'> {
  const at = new Date().toISOString();
  return {
    id: `run-${randomUUID()}`,
    kind: 'stream',
    target: 'bot',
    status: 'running',
    created_at: at,
    updated_at: at,
    expires_at: nowSeconds() + 3600,
    ...overrides,
  };
}

const text = (i: number) => ({ type: 'text', data: { text: `t${i}` } });

/** Registers the contract tests for the stores `factory` builds (fresh ones per test). */
export function runRunStoreContract(name: string, factory: RunStoreFactory): void {
  describe(`RunStore contract: ${name}`, () => {
    const fixtures: RunStoreFixture[] = [];
    const open = async (limits: RunStoreLimits = {}): Promise<RunStoreFixture> => {
      const fixture = await factory(limits);
      fixtures.push(fixture);
      return fixture;
    };
    afterEach(async () => {
      for (const fixture of fixtures.splice(0)) await fixture.cleanup();
    });

    it('creates a run at version 1 that get returns, and refuses the same id again with conflict', async () => {
      // Prepare
      const { store, peer } = await open();
      const run = newRun({ session_id: 's1', result: { nested: [1, 'two'] } });
      // Act
      const created = await store.create(run);
      const seen = await peer.get(run.id);
      const again = await failureOf(store.create(run));
      // Assess
      expect(created).toMatchObject({ ...run, version: 1 });
      // get also reports the log's last seq: 0 for a run that logged nothing
      expect(seen).toEqual({ ...created, last_seq: 0 });
      expect(again.code).toBe('conflict');
    });

    it('writes with compare-and-set: the version increments, a stale write is a conflict, a missing run is not_found', async () => {
      // Prepare
      const { store, peer } = await open();
      const created = await store.create(newRun());
      // Act
      const written = await store.put({ ...created, status: 'succeeded', result: { text: 'done' } }, 1);
      const stale = await failureOf(peer.put({ ...created, status: 'failed' }, 1));
      const missing = await failureOf(store.put({ ...created, id: `run-${randomUUID()}` }, 1));
      // Assess
      expect(written).toMatchObject({ version: 2, status: 'succeeded', result: { text: 'done' }, created_at: created.created_at });
      expect(await peer.get(created.id)).toEqual({ ...written, last_seq: 0 });
      expect(stale.code).toBe('conflict');
      expect(stale.details).toMatchObject({ expected_version: 1, version: 2 });
      expect(missing.code).toBe('not_found');
    });

    it('hands out copies: changing what was read or written does not change the stored run', async () => {
      const { store } = await open();
      const created = await store.create(newRun({ result: { list: [1] } }));
      (created.result as { list: number[] }).list.push(2);
      const read = (await store.get(created.id))!;
      (read.result as { list: number[] }).list.push(3);
      expect((await store.get(created.id))?.result).toEqual({ list: [1] });
    });

    it('lets exactly one of two concurrent writers of the same version win', async () => {
      const { store, peer } = await open();
      const created = await store.create(newRun());
      const results = await Promise.allSettled([store.put({ ...created, cancel_requested: true }, 1), peer.put({ ...created, status: 'succeeded' }, 1)]);
      const winners = results.filter((r) => r.status === 'fulfilled');
      const losers = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as { code?: string }] : []));
      expect(winners).toHaveLength(1);
      expect(losers.map((e) => e.code)).toEqual(['conflict']);
      expect((await store.get(created.id))?.version).toBe(2);
    });

    it('forgets a run and its log after expires_at, and keeps a finished run at most ttlSeconds', async () => {
      // Prepare
      const fixture = await open({ ttlSeconds: 1 });
      const { store, peer } = fixture;
      const short = await store.create(newRun({ expires_at: nowSeconds() + 1 }));
      await store.append(short.id, [text(1)]);
      const long = await store.create(newRun({ expires_at: nowSeconds() + 3600 }));
      const finished = await store.put({ ...long, status: 'succeeded' }, 1);
      expect(finished.expires_at).toBeLessThanOrEqual(nowSeconds() + 2);
      // Act: the clock moves past both (faked where the store allows, else waited for)
      if (fixture.advance) await fixture.advance(3);
      else await vi.waitFor(async () => expect(await peer.get(finished.id)).toBeUndefined(), { timeout: 5000, interval: 100 });
      // Assess
      expect(await store.get(short.id)).toBeUndefined();
      expect(await peer.get(finished.id)).toBeUndefined();
      expect(await store.read(short.id, 0)).toEqual([]);
      expect((await failureOf(store.put(short, 1))).code).toBe('not_found');
      expect((await failureOf(store.append(short.id, [text(2)]))).code).toBe('not_found');
    });

    it('gives a run written without expires_at ttlSeconds from now', async () => {
      const { store } = await open({ ttlSeconds: 600 });
      const created = await store.create(newRun({ expires_at: 0 }));
      expect(created.expires_at).toBeGreaterThanOrEqual(Math.floor(Date.now() / 1000) + 600);
      expect(created.expires_at).toBeLessThanOrEqual(nowSeconds() + 601);
    });

    it('numbers appended events 1, 2, 3 … in order, and reads after a seq with a limit', async () => {
      // Prepare
      const { store, peer } = await open();
      const { id } = await store.create(newRun());
      // Act
      const first = await store.append(id, [{ type: 'run', data: { run_id: id } }, text(2), text(3)]);
      const second = await store.append(id, [text(4), { type: 'done', data: { ok: true, n: null } }]);
      // Assess
      expect([first, second]).toEqual([3, 5]);
      expect((await peer.get(id))?.last_seq).toBe(5);
      const all = await peer.read(id, 0);
      expect(all.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
      expect(all[0]).toEqual({ seq: 1, type: 'run', data: { run_id: id } });
      expect(all[4]).toEqual({ seq: 5, type: 'done', data: { ok: true, n: null } });
      expect((await peer.read(id, 2)).map((e) => e.seq)).toEqual([3, 4, 5]);
      expect(await peer.read(id, 1, 2)).toEqual([
        { seq: 2, type: 'text', data: { text: 't2' } },
        { seq: 3, type: 'text', data: { text: 't3' } },
      ]);
      expect(await peer.read(id, 5)).toEqual([]);
      expect(await peer.read(`run-${randomUUID()}`, 0)).toEqual([]);
    });

    it('refuses an append past the events bound with payload_too_large, appending none of it', async () => {
      const { store } = await open({ maxEvents: 5 });
      const { id } = await store.create(newRun());
      await store.append(id, [text(1), text(2), text(3), text(4)]);
      const error = await failureOf(store.append(id, [text(5), text(6)]));
      expect(error.code).toBe('payload_too_large');
      expect(error.message).toMatch(/5 events/);
      expect(error.details).toMatchObject({ bound: 'events', limit: 5 });
      expect((await store.read(id, 0)).map((e) => e.seq)).toEqual([1, 2, 3, 4]);
      expect(await store.append(id, [text(5)])).toBe(5);
    });

    it('refuses an append past the bytes bound with payload_too_large, appending none of it', async () => {
      const { store } = await open({ maxBytes: 1000 });
      const { id } = await store.create(newRun());
      await store.append(id, [{ type: 'text', data: 'a'.repeat(500) }]);
      const error = await failureOf(store.append(id, [text(1), { type: 'text', data: 'b'.repeat(500) }]));
      expect(error.code).toBe('payload_too_large');
      expect(error.details).toMatchObject({ bound: 'bytes', limit: 1000 });
      expect(await store.read(id, 0)).toHaveLength(1);
      expect(await store.append(id, [text(2)])).toBe(2);
    });

    it('wakes a wait when another instance appends to the run', async () => {
      const { store, peer } = await open();
      const { id } = await store.create(newRun());
      await store.append(id, [text(1)]);
      const woke = store.wait(id, 1, 60_000);
      await peer.append(id, [text(2)]);
      await woke; // a wait that only times out would outlast the test's own timeout
      expect((await store.read(id, 1)).map((e) => e.seq)).toEqual([2]);
    });

    it('wakes a wait when another instance writes the run record', async () => {
      const { store, peer } = await open();
      const created = await store.create(newRun());
      const woke = store.wait(created.id, 0, 60_000);
      await peer.put({ ...created, cancel_requested: true }, 1);
      await woke;
      expect((await store.get(created.id))?.cancel_requested).toBe(true);
    });

    it('returns from wait at once when an event after `after` is already logged', async () => {
      const { store } = await open();
      const { id } = await store.create(newRun());
      await store.append(id, [text(1), text(2)]);
      await store.wait(id, 1, 60_000);
    });

    it('returns from wait after timeoutMs when nothing happens', async () => {
      const { store } = await open();
      const { id } = await store.create(newRun());
      const started = performance.now();
      await store.wait(id, 0, 150);
      expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    });

    it('returns from wait when its signal is aborted', async () => {
      const { store } = await open();
      const { id } = await store.create(newRun());
      const controller = new AbortController();
      const waiting = store.wait(id, 0, 60_000, controller.signal);
      controller.abort();
      await waiting;
      await store.wait(id, 0, 60_000, controller.signal); // already aborted: at once
    });

    it('gives 50 concurrent readers of one run every event once and in order', async () => {
      // Prepare
      const { store, peer } = await open();
      const { id } = await store.create(newRun());
      const total = 40;
      const follow = async (reader: RunStore): Promise<number[]> => {
        const seen: number[] = [];
        let after = 0;
        while (after < total) {
          const events = await reader.read(id, after);
          seen.push(...events.map((e) => e.seq));
          after = events.at(-1)?.seq ?? after;
          if (after < total) await reader.wait(id, after, 10_000);
        }
        return seen;
      };
      const readers = Array.from({ length: 50 }, (_, i) => follow(i % 2 === 0 ? store : peer));
      // Act: one writer appends in batches of one and of several
      for (let seq = 1; seq <= total;) {
        const size = seq % 3 === 0 ? 3 : 1;
        const batch = Array.from({ length: Math.min(size, total - seq + 1) }, (_, k) => text(seq + k));
        seq = (await store.append(id, batch)) + 1;
      }
      const seen = await Promise.all(readers);
      // Assess
      const expected = Array.from({ length: total }, (_, i) => i + 1);
      for (const seqs of seen) expect(seqs).toEqual(expected);
    }, 60_000); // dynalite serves the 50 readers' polls one request at a time
  });
}
