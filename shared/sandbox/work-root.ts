/**
 * The runtime's private directory for its sandbox: made fresh under a unique
 * name (never a fixed, guessable path another local user could pre-create or
 * race), mode 0700, owned by the runtime's user, checked without following a
 * symlink. Directories and pids cgroups left by a runtime that was killed
 * before it could clean up are removed when the next one starts.
 */
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import { AgentSpecError, ErrorCode } from '../errors.js';
import { killCgroup } from './pids-cgroup.js';

const PREFIX = 'agentspec-sandbox-';
/** `agentspec-sandbox-<pid>-<six random characters>`, as mkdtemp makes it. */
const ROOT_NAME = /^agentspec-sandbox-(\d+)-[A-Za-z0-9]{6}$/;
/** `agentspec-sandbox-<pid>-<counter>`, as createCgroup makes it. */
const CGROUP_NAME = /^agentspec-sandbox-(\d+)-\d+$/;

function ownUid(): number {
  return typeof process.getuid === 'function' ? process.getuid() : -1;
}

/** True when `pid` names a live process (a reused pid counts as live: its leftovers wait for a later start). */
function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Makes and checks the runtime's private directory under `parent`. */
export function createPrivateRoot(parent: string): string {
  mkdirSync(parent, { recursive: true, mode: 0o700 });
  const dir = mkdtempSync(join(parent, `${PREFIX}${process.pid}-`));
  const stat = lstatSync(dir);
  const uid = ownUid();
  if (!stat.isDirectory() || (uid >= 0 && stat.uid !== uid) || (stat.mode & 0o077) !== 0) {
    throw new AgentSpecError(
      ErrorCode.Unavailable,
      `The sandbox's private directory ${dir} is not a directory of this user with mode 0700; refusing to use it.`,
    );
  }
  return dir;
}

/**
 * Removes what dead runtimes left under `parent` and in the pids cgroup root:
 * only entries named like ours, owned by this user (directories checked
 * without following symlinks), whose runtime pid is gone. Never throws.
 */
export async function removeLeftovers(parent: string, pidsCgroup: string | null): Promise<void> {
  const uid = ownUid();
  for (const name of safeList(parent)) {
    const match = ROOT_NAME.exec(name);
    if (!match || Number(match[1]) === process.pid || pidAlive(Number(match[1]))) continue;
    const path = join(parent, name);
    try {
      const stat = lstatSync(path);
      if (!stat.isDirectory() || (uid >= 0 && stat.uid !== uid)) continue;
      rmSync(path, { recursive: true, force: true });
    } catch {
      // gone meanwhile, or not ours to remove
    }
  }
  if (!pidsCgroup) return;
  for (const name of safeList(pidsCgroup)) {
    const match = CGROUP_NAME.exec(name);
    if (!match || Number(match[1]) === process.pid || pidAlive(Number(match[1]))) continue;
    const dir = join(pidsCgroup, name);
    killCgroup(dir);
    await rmdir(dir).catch(() => undefined);
  }
}

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir).filter((name) => name.startsWith(PREFIX));
  } catch {
    return [];
  }
}
