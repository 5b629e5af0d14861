/**
 * Per-process pids cgroups (cgroup v1 `pids` hierarchy): the process-count cap
 * where RLIMIT_NPROC does not apply (root), and a complete list of the
 * process tree to kill.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { rmdir } from 'node:fs/promises';
import { join } from 'node:path';

let counter = 0;

/** Creates a cgroup allowing at most `maxProcesses` tasks; returns its directory. */
export function createCgroup(root: string, maxProcesses: number): string {
  const dir = join(root, `agentspec-sandbox-${process.pid}-${++counter}`);
  mkdirSync(dir);
  writeFileSync(join(dir, 'pids.max'), String(maxProcesses));
  return dir;
}

/** The shell prefix that moves itself into the cgroup before exec'ing the real command (no race with forks). */
export function joinCgroupPrefix(dir: string): string[] {
  return ['/bin/sh', '-c', 'echo $$ > "$0" && exec "$@"', join(dir, 'cgroup.procs')];
}

/** SIGKILLs every task in the cgroup. */
export function killCgroup(dir: string): void {
  let pids: string[];
  try {
    pids = readFileSync(join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean);
  } catch {
    return;
  }
  for (const pid of pids) {
    try {
      process.kill(Number(pid), 'SIGKILL');
    } catch {
      // exited meanwhile
    }
  }
}

/** Removes the cgroup once its tasks are gone (the kernel refuses while any remain). */
export async function removeCgroup(dir: string): Promise<void> {
  for (let attempt = 0; attempt < 50; attempt++) {
    try {
      await rmdir(dir);
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      killCgroup(dir);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}
