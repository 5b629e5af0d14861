/**
 * Finds the system parts the sandbox builds on (bubblewrap, prlimit, a pids
 * cgroup) and decides which isolation is missing. Runs once per sandbox,
 * synchronously, so that `Sandbox.isolation` is known when it is created.
 */
import { execFileSync, type ExecFileSyncOptions } from 'node:child_process';
import { accessSync, constants, mkdirSync, rmdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { bwrapArgs } from './bwrap-args.js';

/** What the launcher may use; `null` where the part is absent or unusable. */
export interface SystemParts {
  bwrap: string | null;
  prlimit: string | null;
  /** a writable cgroup-v1 `pids` hierarchy where per-process groups can be made */
  pidsCgroup: string | null;
  /** full when nothing is missing; each missing part says how to get it */
  isolation: { full: boolean; missing: string[] };
}

const PIDS_CGROUP_V1 = '/sys/fs/cgroup/pids';

/** The first executable `name` on PATH, or null. */
export function findOnPath(name: string, path = process.env.PATH ?? ''): string | null {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here; keep looking
    }
  }
  return null;
}

/** Out of the terminal's process group (spawnSync honours `detached`): a Ctrl-C during start-up must not read as "no namespaces". */
const PROBE_OPTIONS: ExecFileSyncOptions = Object.assign({ stdio: 'ignore' as const, timeout: 5000, env: {} }, { detached: true });

/** True when bubblewrap can really set up the sandbox as calls get it (it cannot in a default container, nor where user namespaces are off). */
function bwrapWorks(bwrap: string): boolean {
  const trueBin = findOnPath('true', '/usr/bin:/bin');
  if (!trueBin) return false;
  try {
    execFileSync(bwrap, [...bwrapArgs({ interpreterRoots: [], tmpfsBytes: 1024 * 1024 }), trueBin], PROBE_OPTIONS);
    return true;
  } catch {
    return false;
  }
}

/** A pids cgroup we may create children in: needed as root, where RLIMIT_NPROC does not apply. */
function usablePidsCgroup(): string | null {
  const probe = join(PIDS_CGROUP_V1, `agentspec-probe-${process.pid}`);
  try {
    mkdirSync(probe);
    rmdirSync(probe);
    return PIDS_CGROUP_V1;
  } catch {
    return null;
  }
}

/** Probes this machine: bubblewrap, prlimit, process-count limiting, AWS Lambda. */
export function probeSystem(env: NodeJS.ProcessEnv = process.env): SystemParts {
  const missing: string[] = [];
  let bwrap: string | null = null;
  if (env.AWS_LAMBDA_FUNCTION_NAME) {
    missing.push('namespaces (AWS Lambda forbids them: inline code never runs in the run and stream functions)');
  } else {
    bwrap = findOnPath('bwrap', env.PATH);
    if (!bwrap) missing.push('bubblewrap (not on PATH)');
    else if (!bwrapWorks(bwrap)) {
      missing.push('user namespaces (bubblewrap cannot create them here: the kernel or, in a container, its seccomp profile refuses them)');
      bwrap = null;
    }
  }
  const prlimit = findOnPath('prlimit', env.PATH);
  if (!prlimit) missing.push('prlimit (util-linux: memory, cpu and process limits)');
  // RLIMIT_NPROC is never enforced for root's processes, even inside a user namespace.
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const pidsCgroup = isRoot ? usablePidsCgroup() : null;
  if (isRoot && !pidsCgroup)
    missing.push('a process-count limit (as root, a writable cgroup-v1 pids hierarchy at /sys/fs/cgroup/pids; or run the runtime as a non-root user)');
  return { bwrap, prlimit, pidsCgroup, isolation: { full: missing.length === 0, missing } };
}
