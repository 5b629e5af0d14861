import { describe, expect, it } from 'vitest';
import { MemoryRunStore } from '../../shared/runs/memory-run-store.js';
import type { Run } from '../../shared/runs/types.js';
import { failureOf } from '../helpers/rejection.js';
import { runRunStoreContract } from './run-store.contract.js';

function clock(start = Date.now()) {
  let now = start;
  return { now: () => now, advance: (seconds: number) => (now += seconds * 1000) };
}

runRunStoreContract('MemoryRunStore', async (limits) => {
  const time = clock();
  const store = new MemoryRunStore({ ...limits, now: time.now });
  return {
    store,
    peer: store,
    cleanup: () => store.close(),
    advance: async (seconds) => {
      time.advance(seconds);
    },
  };
});

const run = (id: string, status: Run['status'] = 'running'): Omit<Run, 'version'> => ({
  id,
  kind: 'invoke',
  target: 'bot',
  status,
  created_at: '2026-01-01T00:00:00.000Z',
  updated_at: '2026-01-01T00:00:00.000Z',
  expires_at: 0,
});

describe('MemoryRunStore', () => {
  it('keeps at most maxRuns, evicting the oldest finished run first', async () => {
    // Prepare
    const store = new MemoryRunStore({ maxRuns: 3 });
    await store.create(run('live'));
    await store.create(run('old', 'succeeded'));
    await store.create(run('newer', 'failed'));
    // Act
    await store.create(run('fourth'));
    // Assess
    expect(await store.get('old')).toBeUndefined();
    expect((await Promise.all(['live', 'newer', 'fourth'].map((id) => store.get(id)))).every(Boolean)).toBe(true);
  });

  it('refuses a new run with unavailable when every kept run is unfinished', async () => {
    const store = new MemoryRunStore({ maxRuns: 2 });
    await store.create(run('a'));
    await store.create(run('b'));
    const error = await failureOf(store.create(run('c')));
    expect(error.code).toBe('unavailable');
    expect(error.details).toMatchObject({ limit: 2 });
  });

  it('leaves no listener behind after waits wake, time out or are aborted', async () => {
    // Prepare
    const store = new MemoryRunStore();
    await store.create(run('r'));
    const controller = new AbortController();
    // Act
    const woken = Array.from({ length: 10 }, () => store.wait('r', 0, 60_000));
    const aborted = store.wait('r', 0, 60_000, controller.signal);
    const timedOut = store.wait('r', 0, 1);
    expect(store.waiting).toBe(12);
    controller.abort();
    await aborted;
    await timedOut;
    await store.append('r', [{ type: 'text', data: 'x' }]);
    await Promise.all(woken);
    // Assess
    expect(store.waiting).toBe(0);
  });

  it('wakes pending waits when closed and refuses calls after', async () => {
    const store = new MemoryRunStore();
    await store.create(run('r'));
    const waiting = store.wait('r', 0, 60_000);
    await store.close();
    await waiting;
    expect((await failureOf(store.get('r'))).code).toBe('unavailable');
  });
});
