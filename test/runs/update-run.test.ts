/** Read-modify-write on a run record: lost races are applied again, a change's own refusal is not a lost race. */
import { describe, expect, it } from 'vitest';
import { AgentSpecError, ErrorCode, isAgentSpecError } from '../../shared/errors.js';
import { MemoryRunStore } from '../../shared/runs/memory-run-store.js';
import type { Run, RunStore } from '../../shared/runs/types.js';
import { updateRun } from '../../shared/runs/update-run.js';

async function stored(store: RunStore): Promise<Run> {
  const at = new Date().toISOString();
  return store.create({ id: 'r1', kind: 'stream', target: 'bot', status: 'running', created_at: at, updated_at: at, expires_at: 0 });
}

describe('updateRun', () => {
  it('applies every concurrent change once, re-reading after a lost race', async () => {
    const store = new MemoryRunStore();
    const first = await stored(store);
    const add =
      (name: string) =>
      (run: Run): Run => ({ ...run, decisions: [...(run.decisions ?? []), { approval: name, decision: 'approve', decided_at: run.updated_at }] });

    await Promise.all(['a', 'b', 'c', 'd'].map((name) => updateRun(store, first, add(name))));

    const run = (await store.get('r1'))!;
    expect(run.decisions!.map((d) => d.approval).sort()).toEqual(['a', 'b', 'c', 'd']);
    expect(run.version).toBe(5);
  });

  it('passes on a conflict the change itself throws, without trying again', async () => {
    const store = new MemoryRunStore();
    const first = await stored(store);
    let calls = 0;
    const refusal = await updateRun(store, first, () => {
      calls++;
      throw new AgentSpecError(ErrorCode.Conflict, 'already decided');
    }).catch((e: unknown) => e);

    expect(isAgentSpecError(refusal, ErrorCode.Conflict) && refusal.message).toBe('already decided');
    expect(calls).toBe(1);
  });

  it('gives up with conflict after the attempts, and says not_found when the run is gone', async () => {
    // a store where every write loses the race
    class Losing extends MemoryRunStore {
      override put(run: Run): Promise<Run> {
        return Promise.reject(new AgentSpecError(ErrorCode.Conflict, `Run "${run.id}" was changed by another writer.`));
      }
    }
    const losing = new Losing();
    const first = await stored(losing);
    let calls = 0;
    const racing = await updateRun(losing, first, (run) => (calls++, run), 3).catch((e: unknown) => e);
    expect(isAgentSpecError(racing, ErrorCode.Conflict) && racing.details).toMatchObject({ run_id: 'r1', attempts: 3 });
    expect(calls).toBe(3);

    const gone = await updateRun(new MemoryRunStore(), first, (run) => run).catch((e: unknown) => e);
    expect(isAgentSpecError(gone, ErrorCode.NotFound)).toBe(true);
  });
});
