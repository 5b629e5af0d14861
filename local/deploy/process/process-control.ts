/**
 * Starting, proving and stopping a detached runtime process by pid, and
 * reading the environment of one proven ours.
 *
 * A pid alone proves nothing: the process may have exited and left a zombie,
 * or exited and had its pid given to an unrelated process. So a started
 * process is recorded with its *start token* — its start time in clock ticks
 * since boot (field 22 of `/proc/<pid>/stat`) and the boot id — and a pid is
 * taken for that process only while it is alive, not a zombie, and has the
 * same start token. Without `/proc` (not Linux) nothing can be proven.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

/** What `/proc/<pid>/stat` says: the state letter (`Z`: a zombie) and the start token. */
export interface ProcStat {
  state: string;
  start: string;
}

/**
 * How a recorded process stands: `ours` (alive, not a zombie, same start
 * token), `gone` (no such pid), `zombie` (exited, not yet reaped), `other`
 * (the pid names a process that started at another time) or `unproven`
 * (alive, but no start token was recorded or `/proc` cannot be read).
 */
export type Standing = 'ours' | 'gone' | 'zombie' | 'other' | 'unproven';

let bootId: string | undefined;

/** This boot's id: start ticks restart from zero at every boot. */
function currentBootId(): string {
  if (bootId === undefined) {
    try {
      bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    } catch {
      bootId = '';
    }
  }
  return bootId;
}

/** State and start token of `pid` (a zombie too); undefined when there is no such process or no `/proc`. */
export function procStat(pid: number): ProcStat | undefined {
  if (!validPid(pid)) return undefined;
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  const fields = statFields(text);
  const state = fields[0]; // field 3
  const ticks = fields[19]; // field 22: starttime
  if (!state || !ticks || !/^\d+$/.test(ticks)) return undefined;
  return { state, start: `${ticks}@${currentBootId()}` };
}

/** The fields of a `/proc/<pid>/stat` line from field 3 on: field 2 (the command name) is in parentheses and may hold spaces or ')'. */
function statFields(text: string): string[] {
  return text.slice(text.lastIndexOf(')') + 2).split(' ');
}

/** The start token to record for the live process `pid`; undefined when it is gone, a zombie, or `/proc` is unreadable. */
export function startToken(pid: number): string | undefined {
  const stat = procStat(pid);
  return stat && stat.state !== 'Z' ? stat.start : undefined;
}

/** How `pid`, recorded with start token `start`, stands now (see {@link Standing}). */
export function standing(pid: number, start: string | undefined): Standing {
  if (!exists(pid)) return 'gone';
  const stat = procStat(pid);
  if (stat?.state === 'Z') return 'zombie';
  if (!stat || start === undefined) return 'unproven';
  return stat.start === start ? 'ours' : 'other';
}

/** True when a process `pid` exists (a zombie too); `kill(pid, 0)` with pid ≤ 0 would address a group. */
function exists(pid: number): boolean {
  if (!validPid(pid)) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function validPid(pid: number): boolean {
  return Number.isSafeInteger(pid) && pid > 0;
}

/**
 * The environment `pid` was started with (`/proc/<pid>/environ`), read only
 * while it stands as ours under `start`; undefined otherwise or when it
 * cannot be read. It holds secrets: keep it in memory, never log or store it.
 */
export function environOf(pid: number, start: string | undefined): Record<string, string> | undefined {
  if (standing(pid, start) !== 'ours') return undefined;
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/environ`, 'utf8');
  } catch {
    return undefined;
  }
  const env: Record<string, string> = {};
  for (const entry of text.split('\0')) {
    const at = entry.indexOf('=');
    if (at > 0) env[entry.slice(0, at)] = entry.slice(at + 1);
  }
  // the pid may have changed hands while it was read
  return standing(pid, start) === 'ours' ? env : undefined;
}

/** A process started by {@link startDetached}: its pid and start token (undefined without `/proc`). */
export interface StartedProcess {
  pid: number;
  start?: string;
}

/** Starts `argv` detached in its own process group, stdout and stderr appended to `logFile`. */
export async function startDetached(argv: string[], env: NodeJS.ProcessEnv, logFile: string, cwd: string): Promise<StartedProcess> {
  const log = await open(logFile, 'a', 0o600);
  try {
    const [command, ...args] = argv;
    if (!command) throw new Error('empty command');
    const child = spawn(command, args, { cwd, env, detached: true, stdio: ['ignore', log.fd, log.fd] });
    const pid = child.pid;
    if (pid === undefined) {
      const error = await new Promise<Error>((resolve) => child.once('error', resolve));
      throw error;
    }
    // read before this process can reap the child: an instant exit still leaves its zombie's start token
    const start = procStat(pid)?.start;
    // the deployer's own process may exit; the runtime must outlive it
    child.unref();
    return { pid, ...(start === undefined ? {} : { start }) };
  } finally {
    await log.close();
  }
}

/**
 * SIGTERM (the runtime drains in-flight requests), then SIGKILL once
 * `graceMs` passes; resolves when the process is no longer ours. Signals
 * nothing unless `pid` stands as `ours`: otherwise resolves with its standing.
 */
export async function stopProcess(pid: number, start: string | undefined, graceMs: number): Promise<'terminated' | 'killed' | Exclude<Standing, 'ours'>> {
  const before = standing(pid, start);
  if (before !== 'ours') return before;
  const ours = () => standing(pid, start) === 'ours';
  signal(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!ours()) return 'terminated';
    await sleep(50);
  }
  if (!ours()) return 'terminated';
  signal(pid, 'SIGKILL');
  for (let i = 0; i < 100 && ours(); i++) await sleep(20);
  return 'killed';
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    // the whole group: a tsx loader parent and its child both go
    process.kill(-pid, name);
  } catch {
    try {
      process.kill(pid, name);
    } catch {
      /* already gone */
    }
  }
}

/** Resident memory (bytes) and CPU seconds of a live process, from /proc (Linux only). */
export async function processUsage(pid: number): Promise<{ rss_bytes?: number; cpu_seconds?: number }> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    const rss = /VmRSS:\s+(\d+) kB/.exec(status);
    const fields = statFields(stat);
    const ticks = Number(fields[11]) + Number(fields[12]);
    return { ...(rss ? { rss_bytes: Number(rss[1]) * 1024 } : {}), cpu_seconds: ticks / 100 };
  } catch {
    return {};
  }
}
