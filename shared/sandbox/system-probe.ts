/**
 * Finds the system parts the sandbox builds on (bubblewrap, prlimit, a pids
 * cgroup) and decides which isolation is missing. Runs once per sandbox,
 * synchronously, so that `Sandbox.isolation` is known when it is created.
 */
import { execFileSync } from 'node:child_process';
import { accessSync, constants, mkdirSync, rmdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { SandboxIsolation } from './types.js';

/** What the launcher may use; `null` where the part is absent or unusable. */
export interface SystemParts {
  bwrap: string | null;
  prlimit: string | null;
  /** a writable cgroup-v1 `pids` hierarchy where per-process groups can be made */
  pidsCgroup: string | null;
  isolation: SandboxIsolation;
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

/** True when bubblewrap can really create the namespaces (it cannot in some containers). */
function bwrapWorks(bwrap: string): boolean {
  const trueBin = findOnPath('true');
  if (!trueBin) return false;
  try {
    execFileSync(bwrap, ['--unshare-all', '--die-with-parent', '--ro-bind', '/', '/', '--proc', '/proc', trueBin], {
      stdio: 'ignore',
      timeout: 5000,
      env: {},
    });
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
    missing.push('namespaces (AWS Lambda forbids them)');
  } else {
    bwrap = findOnPath('bwrap', env.PATH);
    if (!bwrap) missing.push('bubblewrap');
    else if (!bwrapWorks(bwrap)) {
      missing.push('namespaces (bubblewrap cannot create them here)');
      bwrap = null;
    }
  }
  const prlimit = findOnPath('prlimit', env.PATH);
  if (!prlimit) missing.push('prlimit (javascript memory, cpu and process limits)');
  // RLIMIT_NPROC is never enforced for root's processes, even inside a user namespace.
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const pidsCgroup = isRoot ? usablePidsCgroup() : null;
  if (isRoot && !pidsCgroup) missing.push('process-count limit (running as root without a writable pids cgroup)');
  return { bwrap, prlimit, pidsCgroup, isolation: { full: missing.length === 0, missing } };
}
