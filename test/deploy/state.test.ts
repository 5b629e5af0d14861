import { readFile, readdir, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { acquireLock, lockPath } from '../../local/deploy/state-lock.js';
import { readState, statePath, updateTargetState, writeState } from '../../local/deploy/state-file.js';
import { isAgentSpecError } from '../../shared/errors.js';
import type { TargetState } from '../../local/deploy/types.js';
import { deadPid } from './helpers/processes.js';
import { tempDirs } from './helpers/temp-dirs.js';

const tempDir = tempDirs('agentspec-state-');

function targetState(overrides: Partial<TargetState> = {}): TargetState {
  return { target: 'local', kind: 'process', ir_hash: 'a'.repeat(64), ids: { pid: 1 }, fingerprints: {}, applied_at: new Date(0).toISOString(), ...overrides };
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

  const valid = targetState();
  it.each([
    ['not JSON', '{"version": 1, "targets": {', 'not JSON'],
    ['not an object', '[1, 2]', 'the document must be an object'],
    ['null', 'null', 'the document must be an object'],
    ['missing fields', '{}', 'version is missing; targets is missing'],
    ['another version', { version: 2, targets: {} }, 'version must be 1'],
    ['targets: null', { version: 1, targets: null }, 'targets must be an object'],
    ['a target that is not an object', { version: 1, targets: { local: 'running' } }, 'targets.local must be an object'],
    ['a target missing its fields', { version: 1, targets: { local: { target: 'local', kind: 'process' } } }, 'targets.local.ir_hash is missing'],
    ['a pid that is a string', { version: 1, targets: { local: { ...valid, ids: { pid: '4242' } } } }, 'targets.local.ids.pid must be an integer'],
    ['a pid that is not positive', { version: 1, targets: { local: { ...valid, ids: { pid: 0 } } } }, 'targets.local.ids.pid must be at least 1'],
    ['ids: null', { version: 1, targets: { local: { ...valid, ids: null } } }, 'targets.local.ids must be an object'],
    [
      'an id that is an object',
      { version: 1, targets: { c: { ...valid, kind: 'docker', ids: { container: { id: 'x' } } } } },
      'targets.c.ids.container must be a string or a number',
    ],
    [
      'a fingerprint that is a number',
      { version: 1, targets: { local: { ...valid, fingerprints: { ir: 1 } } } },
      'targets.local.fingerprints.ir must be a string',
    ],
    ['an unknown kind', { version: 1, targets: { local: { ...valid, kind: 'vm' } } }, 'targets.local.kind must be one of'],
    ['in_progress that is a string', { version: 1, targets: { local: { ...valid, in_progress: 'yes' } } }, 'targets.local.in_progress must be a boolean'],
  ])('rejects a state file with %s, naming the file and the field', async (_shape, content, problem) => {
    // Prepare
    const dir = await tempDir();
    await writeFile(statePath(dir), typeof content === 'string' ? content : JSON.stringify(content));
    // Act
    const error = await readState(dir).catch((e: unknown) => e);
    // Assess
    expect(isAgentSpecError(error) && error.code).toBe('deploy_error');
    expect(String((error as Error).message)).toContain(`${statePath(dir)}: ${problem}`);
    expect(isAgentSpecError(error) && error.details.path).toBe(statePath(dir));
  });

  it('keeps properties it does not know (a newer version may write some)', async () => {
    const dir = await tempDir();
    await writeFile(statePath(dir), JSON.stringify({ version: 1, package: 'p', future: true, targets: { local: { ...targetState(), note: 'x' } } }));
    expect((await readState(dir)).targets.local?.ir_hash).toBe('a'.repeat(64));
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
