/**
 * Builds and spawns one sandbox process: cgroup join (when used), rlimits via
 * prlimit, bubblewrap (unless the operator allowed running without it), then
 * the interpreter running its bootstrap. The environment handed to the whole
 * chain is empty.
 */
import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { BASH_BOOTSTRAP, encodeBashHeader, NODE_BOOTSTRAP, PYTHON_BOOTSTRAP } from './bootstraps.js';
import { bwrapArgs, type BwrapOptions } from './bwrap-args.js';
import type { Interpreter } from './interpreters.js';
import { createCgroup, joinCgroupPrefix } from './pids-cgroup.js';
import { SandboxProcess } from './sandbox-process.js';
import type { SystemParts } from './system-probe.js';
import { NODE_ADDRESS_SLACK, type SandboxRunRequest } from './types.js';

/** The descriptor bubblewrap reads the seccomp filter from (0–2 are stdio, 3 the status channel). */
const SECCOMP_FD = 4;

export interface LaunchLimits {
  cpuSeconds: number;
  maxProcesses: number;
  maxFileBytes: number;
  tmpfsBytes: number;
}

export interface Launcher {
  parts: SystemParts;
  limits: LaunchLimits;
  /** the runtime's private directory (mode 0700): bubblewrap's working directory, and the parent of per-call directories without it */
  privateRoot: string;
  /** the compiled seccomp filter handed to bubblewrap, if any */
  seccompFilter: string | null;
  /** builds bubblewrap's arguments (default `bwrapArgs`; the bench swaps in an unhardened baseline to measure the hardening) */
  bwrapArgs?: (options: BwrapOptions) => string[];
  interpreter(language: SandboxRunRequest['language']): Promise<Interpreter>;
}

function interpreterArgs(language: SandboxRunRequest['language'], binary: string, memoryBytes: number): string[] {
  if (language === 'python') return [binary, '-S', '-I', '-c', PYTHON_BOOTSTRAP];
  if (language === 'bash') return [binary, '--norc', '--noprofile', '-c', BASH_BOOTSTRAP, 'agentspec-bash'];
  const heapMiB = Math.max(16, Math.floor(memoryBytes / (1024 * 1024)));
  return [binary, `--max-old-space-size=${heapMiB}`, '-e', NODE_BOOTSTRAP];
}

/** Spawns a sandbox process for `language`; for javascript, `memoryBytes` is fixed now, for python and bash it is set per request. */
export async function launch(launcher: Launcher, language: SandboxRunRequest['language'], memoryBytes: number): Promise<SandboxProcess> {
  const interpreter = await launcher.interpreter(language);
  const { parts, limits } = launcher;
  let argv = interpreterArgs(language, interpreter.binary, memoryBytes);
  // Under bubblewrap the working directory is a tmpfs inside the sandbox; only the unsafe mode needs one on the host.
  const workdir = parts.bwrap ? null : await mkdtemp(join(launcher.privateRoot, 'run-'));
  const seccompFd = parts.bwrap && launcher.seccompFilter ? SECCOMP_FD : undefined;
  if (parts.bwrap) {
    argv = [parts.bwrap, ...(launcher.bwrapArgs ?? bwrapArgs)({ interpreterRoots: interpreter.roots, tmpfsBytes: limits.tmpfsBytes, seccompFd }), ...argv];
  }
  if (parts.prlimit) {
    const rlimits = [`--cpu=${limits.cpuSeconds}`, `--nproc=${limits.maxProcesses}`, `--fsize=${limits.maxFileBytes}`, '--core=0'];
    // python and bash lower their address space themselves per request; node's must be set before it starts.
    if (language === 'javascript') rlimits.push(`--as=${memoryBytes + NODE_ADDRESS_SLACK}`);
    argv = [parts.prlimit, ...rlimits, '--', ...argv];
  }
  let cgroupDir: string | null = null;
  if (parts.pidsCgroup) {
    cgroupDir = createCgroup(parts.pidsCgroup, limits.maxProcesses);
    argv = [...joinCgroupPrefix(cgroupDir), ...argv];
  }
  const [command, ...args] = argv as [string, ...string[]];
  return new SandboxProcess({
    command,
    args,
    cwd: workdir ?? launcher.privateRoot,
    workdir,
    cgroupDir,
    namespaced: parts.bwrap !== null,
    ...(language === 'bash' ? { encodeHeader: encodeBashHeader } : {}),
    ...(seccompFd !== undefined && launcher.seccompFilter ? { seccompFilter: launcher.seccompFilter } : {}),
  });
}
