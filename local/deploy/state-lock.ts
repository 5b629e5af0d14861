/**
 * The deploy lock (`.agentspec.state.lock`): exactly one `apply`/`destroy`
 * per package at a time, across processes and within one.
 *
 * Taking it: the holder (JSON: pid and its start token, host, time, command,
 * a random token) is written and fsynced to a temporary file with a unique
 * name in the same directory, then hard-linked to the lock's name; `link()`
 * fails with EEXIST while a lock exists. A lock is therefore never seen half
 * written: a competitor finds no lock, or a complete one.
 *
 * Stale: a lock whose holder is on this host and is gone, a zombie, or a pid
 * now naming another process (its start token differs). A lock that cannot
 * be parsed is not stale by itself — it may be another writer's (a version
 * that wrote in place) — unless its mtime is older than
 * {@link UNREADABLE_STALE_MS}. A lock from another host never is.
 *
 * Breaking a stale lock: the breaker hard-links the lock file to a claim name
 * made of that file's inode and mtime. Only one breaker of that file gets the
 * claim (the others get EEXIST and look again). If the claim is the very file
 * it judged stale (inode, mtime and content), nothing else can remove that
 * file — its holder is dead and every other breaker is shut out — so it
 * unlinks the lock, then the claim, and competes for the lock like everyone
 * else. Two breakers never both win.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { link, open, unlink } from 'node:fs/promises';
import { standing, startToken } from './process/process-control.js';
import { AgentSpecError, ErrorCode } from '../../shared/errors.js';
import { uniqueTempPath } from './state-file.js';

export const LOCK_FILE_NAME = '.agentspec.state.lock';

/** An unparseable lock younger than this (by mtime) may be another writer's, still being written. */
export const UNREADABLE_STALE_MS = 10_000;

/** Looks (and breaks stale locks) at most this many times before giving up. */
const MAX_ATTEMPTS = 8;

export interface LockHolder {
  pid: number;
  host: string;
  /** when the lock was taken (ISO 8601) */
  started: string;
  command?: string;
  /** the holder's start token (see process-control.ts); absent in locks of earlier versions */
  pid_start?: string;
  /** random, tells this holding from any other of the same process */
  token?: string;
}

export interface StateLock {
  holder: LockHolder;
  release(): Promise<void>;
}

/** The lock path for a package directory. */
export function lockPath(dir: string): string {
  return join(dir, LOCK_FILE_NAME);
}

/** A lock file as one read saw it: which file (inode, mtime) and what it held. */
interface Seen {
  ino: number;
  mtimeMs: number;
  text: string;
  holder: LockHolder | undefined;
}

/**
 * Takes the lock or throws `lock_held` naming the holder. A stale lock is
 * broken (see the file comment); a lock from another host never is.
 */
export async function acquireLock(dir: string, command = 'apply'): Promise<StateLock> {
  const path = lockPath(dir);
  const start = startToken(process.pid);
  const holder: LockHolder = {
    pid: process.pid,
    host: hostname(),
    started: new Date().toISOString(),
    command,
    ...(start ? { pid_start: start } : {}),
    token: randomUUID(),
  };
  const temp = uniqueTempPath(path);
  await writeHolder(temp, holder);
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        await link(temp, path);
        return { holder, release: () => releaseLock(path, holder) };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw cannotCreate(error);
      }
      const seen = await look(path);
      if (seen) {
        const refusal = refusalOf(seen);
        if (refusal) throw refusal;
        if (attempt >= MAX_ATTEMPTS) break;
        if (await breakStale(path, seen)) continue;
      } else if (attempt >= MAX_ATTEMPTS) break;
      // another breaker may still be between its claim and its unlink
      await sleep(attempt * 5);
    }
  } finally {
    await unlink(temp).catch(() => undefined);
  }
  throw new AgentSpecError(
    ErrorCode.LockHeld,
    `The deploy lock ${LOCK_FILE_NAME} keeps changing, or another deploy is breaking a stale one; retry. If no deploy is running and a ${LOCK_FILE_NAME}.break-* file stays, remove it and the lock.`,
  );
}

async function writeHolder(temp: string, holder: LockHolder): Promise<void> {
  try {
    const handle = await open(temp, 'wx', 0o600);
    try {
      await handle.writeFile(JSON.stringify(holder), 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw cannotCreate(error);
  }
}

function cannotCreate(cause: unknown): AgentSpecError {
  return new AgentSpecError(ErrorCode.DeployError, `Cannot create the deploy lock ${LOCK_FILE_NAME} (the directory must allow hard links).`, { cause });
}

/** The `lock_held` error for a lock that must be respected; undefined when it is stale. */
function refusalOf(seen: Seen): AgentSpecError | undefined {
  const current = seen.holder;
  if (!current) {
    const age = Date.now() - seen.mtimeMs;
    if (age >= UNREADABLE_STALE_MS) return undefined;
    return new AgentSpecError(
      ErrorCode.LockHeld,
      `The deploy lock ${LOCK_FILE_NAME} cannot be read and was written ${Math.max(0, Math.round(age / 1000))} s ago, maybe by a deploy starting now; retry, or remove it if no deploy is running.`,
    );
  }
  if (isStale(current)) return undefined;
  return new AgentSpecError(
    ErrorCode.LockHeld,
    `Another ${current.command ?? 'deploy'} holds the deploy lock (pid ${current.pid} on ${current.host}, since ${current.started}); wait for it or, if it is gone, remove ${LOCK_FILE_NAME}.`,
    { details: { holder: current } },
  );
}

/** On this host, and its pid is gone, a zombie, or (by start token) another process. */
function isStale(holder: LockHolder): boolean {
  if (holder.host !== hostname()) return false;
  const now = standing(holder.pid, holder.pid_start);
  return now === 'gone' || now === 'zombie' || now === 'other';
}

/** Reads the file at `path` once (inode, mtime and content of one file); undefined when there is none. */
async function look(path: string): Promise<Seen | undefined> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw cannotCreate(error);
  }
  try {
    const [stat, text] = await Promise.all([handle.stat(), handle.readFile('utf8')]);
    return { ino: stat.ino, mtimeMs: stat.mtimeMs, text, holder: parseHolder(text) };
  } finally {
    await handle.close();
  }
}

function parseHolder(text: string): LockHolder | undefined {
  try {
    const parsed = JSON.parse(text) as Partial<LockHolder> | null;
    if (parsed && typeof parsed.pid === 'number' && typeof parsed.host === 'string') {
      return {
        pid: parsed.pid,
        host: parsed.host,
        started: String(parsed.started ?? 'unknown'),
        ...(typeof parsed.command === 'string' ? { command: parsed.command } : {}),
        ...(typeof parsed.pid_start === 'string' ? { pid_start: parsed.pid_start } : {}),
        ...(typeof parsed.token === 'string' ? { token: parsed.token } : {}),
      };
    }
  } catch {
    /* not JSON: judged by its age */
  }
  return undefined;
}

/** Removes the lock file `seen` if it is still there and no other breaker holds the claim on it; true when it did. */
async function breakStale(path: string, seen: Seen): Promise<boolean> {
  const claim = `${path}.break-${seen.ino}-${Math.trunc(seen.mtimeMs)}`;
  try {
    await link(path, claim);
  } catch {
    return false; // gone already (ENOENT) or another breaker's (EEXIST): look again
  }
  try {
    const claimed = await look(claim);
    if (!claimed || claimed.ino !== seen.ino || claimed.mtimeMs !== seen.mtimeMs || claimed.text !== seen.text) return false;
    await unlink(path);
    return true;
  } finally {
    // after the lock: while the claim exists, no other breaker can take this file for the one it saw
    await unlink(claim).catch(() => undefined);
  }
}

async function releaseLock(path: string, holder: LockHolder): Promise<void> {
  const current = await look(path).catch(() => undefined);
  if (current?.holder?.token === holder.token) await unlink(path).catch(() => undefined);
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
