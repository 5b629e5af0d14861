/**
 * The process target signals only a process it can prove it started: the
 * recorded pid must be alive, not a zombie, and have the recorded start
 * token. A zombie, a pid now naming another process, or a pid recorded
 * without a start token is left alone, and destroy says so instead of
 * reporting the runtime destroyed.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadPackage } from '../../local/package/load-package.js';
import { destroyDeploy, planDeploy, statusDeploy } from '../../local/deploy/operations.js';
import { readState, writeState } from '../../local/deploy/state-file.js';
import { processFiles } from '../../local/deploy/process/process-files.js';
import { standing } from '../../local/deploy/process/process-control.js';
import type { IRDocument } from '../../shared/ir/types.js';
import { failureOf } from '../helpers/rejection.js';
import { freePort, writePackage } from './helpers/deploy-package.js';
import { unrelatedProcess, zombieProcess, type TestProcess } from './helpers/processes.js';

let file: string;
let dir: string;
let ir: IRDocument;
const processes: TestProcess[] = [];

beforeAll(async () => {
  file = await writePackage({ target: 'process', port: await freePort() });
  dir = dirname(file);
  ({ ir } = await loadPackage(file));
});
afterEach(() => {
  for (const p of processes.splice(0)) p.dispose();
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** What an apply of target "main" leaves behind, with these ids. */
async function deployedWith(ids: Record<string, string | number>, inProgress = false): Promise<void> {
  await writeState(dir, {
    version: 1,
    targets: {
      main: {
        target: 'main',
        kind: 'process',
        ir_hash: ir.hash,
        ids,
        fingerprints: {},
        applied_at: new Date().toISOString(),
        ...(inProgress ? { in_progress: true } : {}),
      },
    },
  });
  await mkdir(join(dir, '.agentspec'), { recursive: true });
  await writeFile(join(dir, '.agentspec', 'main.applied.json'), JSON.stringify(ir));
}

function track(p: TestProcess): TestProcess {
  processes.push(p);
  return p;
}

describe('process target: a recorded pid that is not provably ours', () => {
  it('destroy reports a zombie as exited, signals nothing, and forgets the target', async () => {
    // Prepare: the zombie's own start token, so only the zombie check can tell
    const zombie = track(await zombieProcess());
    await deployedWith({ pid: zombie.pid, pid_start: zombie.start });
    // Act
    const error = await failureOf(destroyDeploy({ dir }));
    // Assess
    expect(error.code).toBe('not_found');
    expect(error.message).toContain(`Nothing was stopped for "main": the recorded process (pid ${zombie.pid}) has exited (it is a zombie)`);
    expect((await readState(dir)).targets).toEqual({});
  });

  it('destroy leaves alone a live process whose pid was reused (start token differs) and says so', async () => {
    // Prepare
    const other = track(unrelatedProcess());
    await deployedWith({ pid: other.pid, pid_start: other.start.replace(/^\d+/, '1') });
    // Act
    const error = await failureOf(destroyDeploy({ dir }));
    // Assess
    expect(error.code).toBe('not_found');
    expect(error.message).toContain(`(pid ${other.pid}) is gone: its pid now belongs to another process`);
    expect(error.message).not.toMatch(/^Destroyed/);
    expect(standing(other.pid, other.start)).toBe('ours');
    expect((await readState(dir)).targets).toEqual({});
  });

  it('destroy leaves alone a pid recorded without a start token (an earlier version’s state) and says so', async () => {
    const other = track(unrelatedProcess());
    await deployedWith({ pid: other.pid });
    const error = await failureOf(destroyDeploy({ dir }));
    expect(error.message).toContain(`(pid ${other.pid}) cannot be proven to be the runtime apply started`);
    expect(standing(other.pid, other.start)).toBe('ours');
  });

  it('destroy leaves alone a bare pid left in the pid file by an interrupted apply of an earlier version', async () => {
    const other = track(unrelatedProcess());
    await deployedWith({}, true);
    await writeFile(processFiles(dir, 'main').pid, String(other.pid));
    const error = await failureOf(destroyDeploy({ dir }));
    expect(error.message).toContain(`(pid ${other.pid}) cannot be proven`);
    expect(standing(other.pid, other.start)).toBe('ours');
  });

  it('plan and status do not take a reused pid for the runtime', async () => {
    // Prepare
    const other = track(unrelatedProcess());
    await deployedWith({ pid: other.pid, pid_start: other.start.replace(/^\d+/, '1') });
    // Act
    const plan = await planDeploy({ file });
    const [status] = await statusDeploy({ dir });
    // Assess
    expect(plan.items).toEqual([{ resource: 'process', action: 'create', reason: expect.stringContaining('its pid now belongs to another process') }]);
    expect(status?.detail).toMatchObject({ pid: other.pid, running: false, process: 'other' });
    expect(status?.healthy).toBe(false);
  });
});
