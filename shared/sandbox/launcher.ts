/**
 * Builds and spawns one sandbox process: cgroup join (when used), rlimits via
 * prlimit, bubblewrap (when available), then the interpreter running its
 * bootstrap. The environment handed to the whole chain is empty.
 */
import { mkdirSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { NODE_BOOTSTRAP, PYTHON_BOOTSTRAP } from './bootstraps.js';
import { bwrapArgs } from './bwrap-args.js';
import type { Interpreter } from './interpreters.js';
import { createCgroup, joinCgroupPrefix } from './pids-cgroup.js';
import { SandboxProcess } from './sandbox-process.js';
import type { SystemParts } from './system-probe.js';
import type { SandboxRunRequest } from './types.js';

/**
 * V8 reserves far more address space than it touches (node will not start under
 * ~700 MiB of RLIMIT_AS here), so node's address-space cap is the request's
 * memory plus this slack, and its JS heap is capped at the request's memory.
 */
export const NODE_ADDRESS_SLACK = 1024 * 1024 * 1024;

export interface LaunchLimits {
  cpuSeconds: number;
  maxProcesses: number;
  maxFileBytes: number;
  tmpfsBytes: number;
}

export interface Launcher {
  parts: SystemParts;
  limits: LaunchLimits;
  /** host directory holding the per-process working directories (outside any project tree) */
  workRoot: string;
  interpreter(language: SandboxRunRequest['language']): Promise<Interpreter>;
}

function interpreterArgs(language: SandboxRunRequest['language'], binary: string, memoryBytes: number): string[] {
  if (language === 'python') return [binary, '-S', '-I', '-c', PYTHON_BOOTSTRAP];
  const heapMiB = Math.max(16, Math.floor(memoryBytes / (1024 * 1024)));
  return [binary, `--max-old-space-size=${heapMiB}`, '-e', NODE_BOOTSTRAP];
}

/** Spawns a sandbox process for `language`; for javascript, `memoryBytes` is fixed now, for python it is set per request. */
export async function launch(launcher: Launcher, language: SandboxRunRequest['language'], memoryBytes: number): Promise<SandboxProcess> {
  const interpreter = await launcher.interpreter(language);
  mkdirSync(launcher.workRoot, { recursive: true, mode: 0o700 });
  const workdir = await mkdtemp(join(launcher.workRoot, 'run-'));
  const { parts, limits } = launcher;
  let argv = interpreterArgs(language, interpreter.binary, memoryBytes);
  if (parts.bwrap) {
    argv = [parts.bwrap, ...bwrapArgs({ hostWorkdir: workdir, interpreterRoots: interpreter.roots, tmpfsBytes: limits.tmpfsBytes }), ...argv];
  }
  if (parts.prlimit) {
    const rlimits = [`--cpu=${limits.cpuSeconds}`, `--nproc=${limits.maxProcesses}`, `--fsize=${limits.maxFileBytes}`, '--core=0'];
    // python lowers its address space itself per request; node's must be set before it starts.
    if (language === 'javascript') rlimits.push(`--as=${memoryBytes + NODE_ADDRESS_SLACK}`);
    argv = [parts.prlimit, ...rlimits, '--', ...argv];
  }
  let cgroupDir: string | null = null;
  if (parts.pidsCgroup) {
    cgroupDir = createCgroup(parts.pidsCgroup, limits.maxProcesses);
    argv = [...joinCgroupPrefix(cgroupDir), ...argv];
  }
  const [command, ...args] = argv as [string, ...string[]];
  return new SandboxProcess({ command, args, workdir, cgroupDir, namespaced: parts.bwrap !== null });
}
