/**
 * Read-modify-write on a run record with compare-and-set, as
 * `updateSession` does for sessions: a writer that loses the race
 * (`conflict`) re-reads the run and applies its change again to what it
 * says now. `change` may throw to give up (the run ended, the approval was
 * decided); it may run more than once, so it must not have side effects.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { AgentSpecError, ErrorCode, isAgentSpecError } from '../errors.js';
import { runNotFound } from './store-errors.js';
import type { Run, RunStore } from './types.js';

const DEFAULT_ATTEMPTS = 32;

/** Writes `change(run)` starting from `first` (as read); returns the stored run. */
export async function updateRun(store: RunStore, first: Run, change: (run: Run) => Run, attempts = DEFAULT_ATTEMPTS): Promise<Run> {
  let run = first;
  let lastConflict: unknown;
  for (let attempt = 0; attempt < attempts; attempt++) {
    // outside the try: a conflict `change` throws (already decided, already ended) is its answer, not a lost race
    const next = change(run);
    try {
      return await store.put(next, run.version);
    } catch (error) {
      if (!isAgentSpecError(error, ErrorCode.Conflict)) throw error;
      lastConflict = error;
      // jittered backoff so that writers racing on a remote store spread out
      await sleep(Math.random() * Math.min(50, 2 ** attempt));
      const fresh = await store.get(run.id);
      if (!fresh) throw runNotFound(run.id);
      run = fresh;
    }
  }
  throw new AgentSpecError(ErrorCode.Conflict, `Run "${first.id}" kept changing under ${attempts} write attempts; try again.`, {
    cause: lastConflict,
    details: { run_id: first.id, attempts },
  });
}
