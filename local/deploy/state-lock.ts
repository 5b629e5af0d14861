/**
 * The deploy lock (`.agentspec.state.lock`), created with O_EXCL so exactly
 * one `apply`/`destroy` runs per package at a time. It names its holder (pid,
 * host, start time); a second apply fails at once with `lock_held`. A lock
 * left by a process that is no longer alive on this host is stale and broken.
 */
import { hostname } from 'node:os';
import { join } from 'node:path';
import { open, readFile, rename, unlink } from 'node:fs/promises';
import { isAlive as isProcessAlive } from '../../shared/deploy/process/process-control.js';
import { AgentSpecError, ErrorCode } from '../../shared/errors.js';

export const LOCK_FILE_NAME = '.agentspec.state.lock';

export interface LockHolder {
  pid: number;
  host: string;
  started: string;
  command?: string;
}

export interface StateLock {
  holder: LockHolder;
  release(): Promise<void>;
}

/** The lock path for a package directory. */
export function lockPath(dir: string): string {
  return join(dir, LOCK_FILE_NAME);
}


/**
 * Takes the lock or throws `lock_held` naming the holder. A stale lock (its
 * pid dead on this host) is broken once; a lock from another host is never
 * broken automatically.
 */
export async function acquireLock(dir: string, command = 'apply'): Promise<StateLock> {
  const path = lockPath(dir);
  const holder: LockHolder = { pid: process.pid, host: hostname(), started: new Date().toISOString(), command };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(path, 'wx', 0o600);
      try {
        await handle.writeFile(JSON.stringify(holder), 'utf8');
        await handle.sync();
      } finally {
        await handle.close();
      }
      return { holder, release: () => releaseLock(path, holder) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new AgentSpecError(ErrorCode.DeployError, `Cannot create the deploy lock ${LOCK_FILE_NAME}.`, { cause: error });
      }
    }
    const current = await readHolder(path);
    if (current && !isStale(current)) {
      throw new AgentSpecError(
        ErrorCode.LockHeld,
        `Another ${current.command ?? 'deploy'} holds the deploy lock (pid ${current.pid} on ${current.host}, since ${current.started}); wait for it or, if it is gone, remove ${LOCK_FILE_NAME}.`,
        { details: { holder: current } },
      );
    }
    await breakStale(path, current);
  }
  throw new AgentSpecError(ErrorCode.LockHeld, `The deploy lock ${LOCK_FILE_NAME} keeps reappearing; another deploy is starting at the same time.`);
}

function isStale(holder: LockHolder): boolean {
  return holder.host === hostname() && !isProcessAlive(holder.pid);
}

async function readHolder(path: string): Promise<LockHolder | undefined> {
  try {
    const parsed = JSON.parse(await readFile(path, 'utf8')) as Partial<LockHolder>;
    if (typeof parsed.pid === 'number' && typeof parsed.host === 'string') {
      return { pid: parsed.pid, host: parsed.host, started: String(parsed.started ?? 'unknown'), command: parsed.command };
    }
  } catch {
    /* unreadable or half-written: treated below */
  }
  return undefined;
}

async function breakStale(path: string, seen: LockHolder | undefined): Promise<void> {
  // Rename first so that two processes breaking the same stale lock cannot
  // both delete a fresh lock the other just created: only one rename succeeds.
  const aside = `${path}.stale.${process.pid}`;
  try {
    await rename(path, aside);
  } catch {
    return; // someone else broke it already
  }
  const moved = await readHolder(aside);
  if (seen && moved && (moved.pid !== seen.pid || moved.started !== seen.started)) {
    // We moved a live lock that replaced the stale one: put it back.
    await rename(aside, path).catch(() => undefined);
    return;
  }
  await unlink(aside).catch(() => undefined);
}

async function releaseLock(path: string, holder: LockHolder): Promise<void> {
  const current = await readHolder(path);
  if (current && current.pid === holder.pid && current.started === holder.started) await unlink(path).catch(() => undefined);
}

/** Runs `fn` while holding the lock. */
export async function withLock<T>(dir: string, command: string, fn: () => Promise<T>): Promise<T> {
  const lock = await acquireLock(dir, command);
  try {
    return await fn();
  } finally {
    await lock.release();
  }
}
