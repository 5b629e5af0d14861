import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir, hostname } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { acquireLock, lockPath } from '../../local/deploy/state-lock.js';
import { readState, statePath, updateTargetState, writeState } from '../../local/deploy/state-file.js';
import { isAgentSpecError } from '../../shared/errors.js';
import type { TargetState } from '../../shared/deploy/types.js';

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'agentspec-state-'));
  dirs.push(dir);
  return dir;
}
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

function targetState(overrides: Partial<TargetState> = {}): TargetState {
  return { target: 'local', kind: 'process', ir_hash: 'a'.repeat(64), ids: { pid: 1 }, fingerprints: {}, applied_at: new Date(0).toISOString(), ...overrides };
}

/** The pid of a process that has certainly exited. */
function deadPid(): number {
  const out = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(out.stdout);
}

describe('deploy state file', () => {
  it('reads an absent file as an empty state and round-trips a target', async () => {
    const dir = await tempDir();
    expect((await readState(dir)).targets).toEqual({});
    await updateTargetState(dir, 'local', () => targetState());
    expect((await readState(dir)).targets.local?.ir_hash).toBe('a'.repeat(64));
  });

  it('leaves no temporary file behind after a write', async () => {
    const dir = await tempDir();
    await writeState(dir, { version: 1, targets: { local: targetState() } });
    expect(await readdir(dir)).toEqual(['.agentspec.state.json']);
  });

  it('rejects a corrupt state file with an actionable deploy_error', async () => {
    const dir = await tempDir();
    await writeFile(statePath(dir), '{not json');
    const error = await readState(dir).catch((e: unknown) => e);
    expect(isAgentSpecError(error) && error.code).toBe('deploy_error');
    expect(String((error as Error).message)).toMatch(/fix or remove/);
  });
});

describe('deploy lock', () => {
  it('lets one of two concurrent acquirers win and fails the other at once naming the holder', async () => {
    // Prepare
    const dir = await tempDir();
    // Act
    const results = await Promise.allSettled([acquireLock(dir), acquireLock(dir)]);
    // Assess
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(isAgentSpecError(lost[0]?.reason) && lost[0].reason.code).toBe('lock_held');
    expect(String((lost[0]?.reason as Error).message)).toContain(`pid ${process.pid} on ${hostname()}`);
    await (won[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof acquireLock>>>).value.release();
  });

  it('refuses a lock held by a live process of another program', async () => {
    const dir = await tempDir();
    await writeFile(lockPath(dir), JSON.stringify({ pid: process.ppid, host: hostname(), started: 'then' }));
    const error = await acquireLock(dir).catch((e: unknown) => e);
    expect(isAgentSpecError(error) && error.code).toBe('lock_held');
  });

  it('breaks a stale lock left by a dead process and releases its own lock', async () => {
    // Prepare
    const dir = await tempDir();
    await writeFile(lockPath(dir), JSON.stringify({ pid: deadPid(), host: hostname(), started: 'then' }));
    // Act
    const lock = await acquireLock(dir);
    const held = JSON.parse(await readFile(lockPath(dir), 'utf8')) as { pid: number };
    await lock.release();
    // Assess
    expect(held.pid).toBe(process.pid);
    expect(await readdir(dir)).toEqual([]);
  });

  it('never breaks a lock from another host', async () => {
    const dir = await tempDir();
    await writeFile(lockPath(dir), JSON.stringify({ pid: deadPid(), host: 'elsewhere.example', started: 'then' }));
    const error = await acquireLock(dir).catch((e: unknown) => e);
    expect(isAgentSpecError(error) && error.code).toBe('lock_held');
  });
});
