/** Starting and stopping a detached runtime process by pid. */
import { spawn } from 'node:child_process';
import { open } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

/** True when `pid` names a live process (not a zombie) on this machine. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Starts `argv` detached in its own process group, stdout and stderr appended to `logFile`. */
export async function startDetached(argv: string[], env: NodeJS.ProcessEnv, logFile: string, cwd: string): Promise<number> {
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
    // the deployer's own process may exit; the runtime must outlive it
    child.unref();
    return pid;
  } finally {
    await log.close();
  }
}

/**
 * SIGTERM (the runtime drains in-flight requests), then SIGKILL once
 * `graceMs` passes. Resolves when the process is gone.
 */
export async function stopProcess(pid: number, graceMs: number): Promise<'gone' | 'terminated' | 'killed'> {
  if (!isAlive(pid)) return 'gone';
  signal(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return 'terminated';
    await sleep(50);
  }
  signal(pid, 'SIGKILL');
  for (let i = 0; i < 100 && isAlive(pid); i++) await sleep(20);
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
    const { readFile } = await import('node:fs/promises');
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    const rss = /VmRSS:\s+(\d+) kB/.exec(status);
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return { ...(rss ? { rss_bytes: Number(rss[1]) * 1024 } : {}), cpu_seconds: ticks / 100 };
  } catch {
    return {};
  }
}
