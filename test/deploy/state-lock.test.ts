/**
 * The deploy lock under races and with holders that are not what their pid
 * suggests: exactly one holder among concurrent acquirers (in one process and
 * across processes, with and without a stale lock to break), a fresh
 * unparseable lock respected, zombie and reused-pid holders taken for stale.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { once } from 'node:events';
import { readdir, utimes, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { hostname } from 'node:os';
import type { Readable, Writable } from 'node:stream';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { acquireLock, lockPath, UNREADABLE_STALE_MS, type StateLock } from '../../local/deploy/state-lock.js';
import { isAgentSpecError } from '../../shared/errors.js';
import { deadPid, unrelatedProcess, zombieProcess, type TestProcess } from './helpers/processes.js';
import { tempDirs } from './helpers/temp-dirs.js';

const TRIALS = 40;
const CONTENDERS = 4;

const tempDir = tempDirs('agentspec-lock-');

/** What trial `n` finds in the directory: nothing, a stale holder, or an old unparseable lock. */
async function prepareTrial(dir: string, n: number, dead: number): Promise<void> {
  if (n % 3 === 1) await writeFile(lockPath(dir), JSON.stringify({ pid: dead, host: hostname(), started: 'then', pid_start: '1@not-this-boot' }));
  if (n % 3 === 2) {
    await writeFile(lockPath(dir), '');
    const old = new Date(Date.now() - 2 * UNREADABLE_STALE_MS);
    await utimes(lockPath(dir), old, old);
  }
}

const holderOf = (dir: string, holder: object) => writeFile(lockPath(dir), JSON.stringify({ host: hostname(), started: 'then', ...holder }));
const codeOf = (error: unknown) => (isAgentSpecError(error) ? error.code : String(error));

describe('deploy lock under a race', () => {
  it(`has exactly one holder among ${CONTENDERS} acquirers in one process, ${TRIALS} times (fresh, stale and unreadable old locks)`, async () => {
    const dead = deadPid();
    for (let n = 0; n < TRIALS; n++) {
      // Prepare
      const dir = await tempDir();
      await prepareTrial(dir, n, dead);
      // Act
      const results = await Promise.allSettled(Array.from({ length: CONTENDERS }, () => acquireLock(dir)));
      // Assess
      const won = results.filter((r): r is PromiseFulfilledResult<StateLock> => r.status === 'fulfilled');
      const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect({ trial: n, holders: won.length }).toEqual({ trial: n, holders: 1 });
      expect(lost.map((r) => codeOf(r.reason))).toEqual(Array(CONTENDERS - 1).fill('lock_held'));
      await won[0]?.value.release();
      expect(await readdir(dir)).toEqual([]);
    }
  });

  describe(`across ${CONTENDERS} processes`, () => {
    const contenders: { child: ChildProcessByStdio<Writable, Readable, null>; next: () => Promise<string> }[] = [];

    beforeAll(async () => {
      const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
      const script = fileURLToPath(new URL('./helpers/lock-contender.ts', import.meta.url));
      for (let i = 0; i < CONTENDERS; i++) {
        const child = spawn(process.execPath, ['--import', tsx, script], { stdio: ['pipe', 'pipe', 'inherit'] });
        const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
        contenders.push({ child, next: async () => String((await lines.next()).value) });
      }
      // the barrier: every contender is loaded and waiting on its stdin
      expect(await Promise.all(contenders.map((c) => c.next()))).toEqual(Array(CONTENDERS).fill('ready'));
    });

    afterAll(async () => {
      for (const { child } of contenders) {
        child.stdin.end();
        if (child.exitCode === null) await once(child, 'exit');
      }
    });

    it(`has exactly one holder, ${TRIALS} times (fresh, stale and unreadable old locks)`, async () => {
      const dead = deadPid();
      for (let n = 0; n < TRIALS; n++) {
        // Prepare
        const dir = await tempDir();
        await prepareTrial(dir, n, dead);
        // Act: one write each, in one synchronous loop, to processes that all wait for it
        for (const { child } of contenders) child.stdin.write(`go ${dir}\n`);
        const answers = await Promise.all(contenders.map((c) => c.next()));
        // Assess
        expect({ trial: n, holders: answers.filter((a) => a === 'won').length }).toEqual({ trial: n, holders: 1 });
        expect(answers.filter((a) => a !== 'won')).toEqual(Array(CONTENDERS - 1).fill('lost lock_held'));
        for (const { child } of contenders) child.stdin.write('release\n');
        expect(await Promise.all(contenders.map((c) => c.next()))).toEqual(Array(CONTENDERS).fill('released'));
        expect(await readdir(dir)).toEqual([]);
      }
    });
  });
});

describe('deploy lock holders', () => {
  const processes: TestProcess[] = [];
  afterEach(() => {
    for (const p of processes.splice(0)) p.dispose();
  });

  it('respects a lock it cannot parse while it is recent: it may be another writer’s, half written', async () => {
    const dir = await tempDir();
    await writeFile(lockPath(dir), '');
    const error = await acquireLock(dir).catch((e: unknown) => e);
    expect(codeOf(error)).toBe('lock_held');
    expect(String((error as Error).message)).toMatch(/cannot be read/);
  });

  it('breaks a lock it cannot parse once it is old', async () => {
    const dir = await tempDir();
    await writeFile(lockPath(dir), '{"pid":');
    const old = new Date(Date.now() - 2 * UNREADABLE_STALE_MS);
    await utimes(lockPath(dir), old, old);
    const lock = await acquireLock(dir);
    await lock.release();
    expect(await readdir(dir)).toEqual([]);
  });

  it('records the holder’s start token and respects a live holder with the same one', async () => {
    const dir = await tempDir();
    const live = unrelatedProcess();
    processes.push(live);
    const lock = await acquireLock(dir);
    expect(lock.holder.pid_start).toMatch(/^\d+@/);
    await lock.release();
    await holderOf(dir, { pid: live.pid, pid_start: live.start });
    expect(codeOf(await acquireLock(dir).catch((e: unknown) => e))).toBe('lock_held');
  });

  it('takes a zombie holder for stale, though its pid still answers signal 0', async () => {
    const dir = await tempDir();
    const zombie = await zombieProcess();
    processes.push(zombie);
    await holderOf(dir, { pid: zombie.pid, pid_start: zombie.start });
    const lock = await acquireLock(dir);
    expect(lock.holder.pid).toBe(process.pid);
    await lock.release();
  });

  it('takes a holder whose pid now names another process (start token differs) for stale', async () => {
    const dir = await tempDir();
    const other = unrelatedProcess();
    processes.push(other);
    await holderOf(dir, { pid: other.pid, pid_start: other.start.replace(/^\d+/, '1') });
    const lock = await acquireLock(dir);
    expect(lock.holder.pid).toBe(process.pid);
    await lock.release();
  });
});
