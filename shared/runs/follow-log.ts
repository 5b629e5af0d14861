/**
 * Following a run from its store alone (the run is driven by another
 * instance, or has ended): replays the log after a seq, then waits for more
 * until a final event or the last `waiting` is read, or the record says the
 * run has ended or paused and nothing more is logged.
 */
import { endsStretch } from './run-events.js';
import type { LoggedEvent, RunStore } from './types.js';

const PAGE = 256;

export interface FollowLogOptions {
  /** longest single wait on the store (default 15 s); `onIdle` runs after each that brought nothing */
  waitMs?: number;
  onIdle?: () => Promise<void> | void;
}

export async function* followLog(
  store: RunStore,
  id: string,
  after: number,
  signal?: AbortSignal,
  options: FollowLogOptions = {},
): AsyncGenerator<LoggedEvent, void, undefined> {
  let cursor = after;
  let checkedRecord = false;
  while (!signal?.aborted) {
    const page = await store.read(id, cursor, PAGE);
    for (const event of page) {
      if (event.seq <= cursor) continue;
      cursor = event.seq;
      yield event;
      if (endsStretch(event.type) && !(event.type === 'waiting' && (await resumedSince(store, id, cursor)))) return;
    }
    if (page.length > 0) {
      checkedRecord = false;
      continue;
    }
    // The terminal event is logged before the record changes: read the log once more after seeing the record end.
    if (checkedRecord) return;
    const run = await store.get(id);
    if (!run) return;
    if (run.status !== 'running') {
      checkedRecord = true;
      continue;
    }
    const waitMs = options.waitMs ?? 15_000;
    const started = Date.now();
    await store.wait(id, cursor, waitMs, signal);
    if (!signal?.aborted && Date.now() - started >= waitMs) await options.onIdle?.();
  }
}

/** Whether the run went on after the `waiting` at `seq`: events follow it, or its record is running again. */
async function resumedSince(store: RunStore, id: string, seq: number): Promise<boolean> {
  if ((await store.read(id, seq, 1)).length > 0) return true;
  return (await store.get(id))?.status === 'running';
}
