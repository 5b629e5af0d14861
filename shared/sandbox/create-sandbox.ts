/**
 * `createSandbox`: the inline-code sandbox with its warm pool. Probes the
 * machine once and says which isolation it has; without full isolation every
 * call is refused unless the operator explicitly chose the unsafe mode.
 * Serves each request with a pre-started single-use interpreter when one is
 * waiting (cold otherwise).
 */
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { AgentSpecError, ErrorCode } from '../errors.js';
import { LANGUAGES } from '../ir/enums.js';
import { resolveBash, resolveNode, resolvePython, type Interpreter } from './interpreters.js';
import { launch, type Launcher } from './launcher.js';
import type { SandboxProcess } from './sandbox-process.js';
import { compileSeccompFilter } from './seccomp-filter.js';
import { probeSystem, type SystemParts } from './system-probe.js';
import { SANDBOX_OUTPUT_CAP_BYTES, type Sandbox, type SandboxIsolation, type SandboxMode, type SandboxRunRequest, type SandboxRunResult } from './types.js';
import { createPrivateRoot, removeLeftovers } from './work-root.js';
import { WarmPool, type PoolStats } from './warm-pool.js';

export interface SandboxOptions {
  /** pre-started processes per language (and per javascript memory size); 0 disables the pool. Default 2. */
  poolSize?: number;
  /**
   * Runs inline code even where isolation is incomplete, with only the limits
   * that remain (rlimits, a process group, the pids cgroup where writable).
   * Unsafe: the code can read what the runtime's user can read, including its
   * environment. Default: `AGENTSPEC_UNSAFE_INLINE_CODE=1` in `env`; never on AWS Lambda.
   */
  unsafeWithoutIsolation?: boolean;
  /** where the opt-out is read from (default `process.env`) */
  env?: NodeJS.ProcessEnv;
  /** structured log sink; default: one JSON line on stderr */
  logger?: (line: Record<string, unknown>) => void;
  /** python command or path (default `python3`) */
  python?: string;
  /** node binary (default: the runtime's own `process.execPath`) */
  node?: string;
  /** bash command or path (default `bash` from PATH) */
  bash?: string;
  /** cap for each of stdout and stderr (default 1 MiB) */
  maxOutputBytes?: number;
  /** CPU seconds per process (default 30) */
  cpuSeconds?: number;
  /** processes (and threads) per sandbox (default 64) */
  maxProcesses?: number;
  /** largest file the code may write (default 64 MiB); also the size of each of its tmpfs `/sandbox` and `/tmp` */
  maxFileBytes?: number;
  /** pre-start python interpreters (default true) */
  warmPython?: boolean;
  /** pre-start bash interpreters (default false: a cold bash call costs a few milliseconds more than a warm one) */
  warmBash?: boolean;
  /** javascript memory sizes to pre-start at creation (default [256 MiB], the language's default `memory`; [] for none) */
  warmJavascriptMemory?: number[];
  /** where the runtime's private directory is made (default: the os tmpdir) */
  workRoot?: string;
  /** probe result override (tests of the refusing and unsafe modes) */
  system?: SystemParts;
}

/** The sandbox with pool introspection, for tests and benchmarks. */
export interface PooledSandbox extends Sandbox {
  /** pool counters plus requests served cold */
  stats(): PoolStats & { coldStarts: number; served: number };
  /** resolves when every pre-started process is ready for code */
  warm(): Promise<void>;
}

const MiB = 1024 * 1024;
const DEFAULT_JS_MEMORY = 256 * MiB;
/** javascript memory sizes kept warm at once, besides python and bash */
const MAX_JS_CLASSES = 3;

function defaultLogger(line: Record<string, unknown>): void {
  process.stderr.write(`${JSON.stringify(line)}\n`);
}

/** Every live sandbox process of this runtime, whichever sandbox started it: killed if the runtime exits without close(). */
const everyLive = new Set<SandboxProcess>();
let exitHookInstalled = false;
/** Records `proc` as live in `own` (its sandbox's set, which close() empties) and process-wide until it exits. */
function track(proc: SandboxProcess, own: Set<SandboxProcess>): SandboxProcess {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const p of everyLive) p.killTree();
    });
  }
  everyLive.add(proc);
  own.add(proc);
  void proc.exited.then(() => {
    everyLive.delete(proc);
    own.delete(proc);
  });
  return proc;
}

/** The longest single argument Linux passes to a program (MAX_ARG_STRLEN): bash code is one. */
const MAX_BASH_CODE_BYTES = 128 * 1024 - 1;

function validate(request: SandboxRunRequest): void {
  const problems: string[] = [];
  if (!(LANGUAGES as readonly string[]).includes(request.language))
    problems.push(`language must be one of ${LANGUAGES.join(', ')}, not ${String(request.language)}`);
  if (typeof request.code !== 'string') problems.push('code must be a string');
  else if (request.code.includes('\0')) problems.push('code must not contain a NUL character');
  else if (request.language === 'bash' && Buffer.byteLength(request.code) > MAX_BASH_CODE_BYTES)
    problems.push(`bash code must be under 128 KiB (it is passed to bash as one argument), not ${Buffer.byteLength(request.code)} bytes`);
  if (!(request.timeoutMs > 0)) problems.push('timeoutMs must be positive');
  if (!(request.memoryBytes > 0)) problems.push('memoryBytes must be positive');
  for (const [key, value] of Object.entries(request.env ?? {})) {
    if (!key || key.includes('=') || key.includes('\0') || typeof value !== 'string' || value.includes('\0'))
      problems.push(`env entry "${key.replaceAll('\0', '\\0')}" must be a name without "=" and a string value, both without NUL`);
  }
  if (problems.length) throw new AgentSpecError(ErrorCode.InvalidRequest, `Invalid sandbox request: ${problems.join('; ')}.`, { details: { problems } });
}

/** The operator's explicit, visibly unsafe opt-out. */
export const UNSAFE_ENV = 'AGENTSPEC_UNSAFE_INLINE_CODE';

/** The mode inline code runs in on these parts: full isolation, the operator's unsafe opt-out, or refusal. Lambda always refuses. */
function modeOf(parts: SystemParts, options: SandboxOptions): SandboxMode {
  if (parts.isolation.full) return 'bubblewrap';
  const env = options.env ?? process.env;
  if (env.AWS_LAMBDA_FUNCTION_NAME) return 'refused';
  return (options.unsafeWithoutIsolation ?? env[UNSAFE_ENV] === '1') ? 'unsafe' : 'refused';
}

/** The refusal every call gets without full isolation: what is missing and how to get it. */
function refusal(missing: string[]): AgentSpecError {
  return new AgentSpecError(
    ErrorCode.Unavailable,
    `Inline code is refused: it runs only under full isolation, and this host lacks ${missing.join('; ')}. ` +
      `Install bubblewrap where user namespaces are allowed (Debian/Ubuntu: apt-get install bubblewrap), or set ${UNSAFE_ENV}=1 to run it without isolation (unsafe).`,
    { details: { missing } },
  );
}

/**
 * Creates the inline-code sandbox and starts its warm pool.
 * @example
 * const sandbox = createSandbox();
 * const r = await sandbox.run({ language: 'python', code: 'print(input())', stdin: '{}\n', env: {}, timeoutMs: 5000, memoryBytes: 128 * 2 ** 20 });
 * await sandbox.close();
 */
export function createSandbox(options: SandboxOptions = {}): PooledSandbox {
  const log = options.logger ?? defaultLogger;
  const parts = options.system ?? probeSystem(options.env);
  const mode = modeOf(parts, options);
  const parent = options.workRoot ?? tmpdir();
  const leftovers = removeLeftovers(parent, parts.pidsCgroup);
  const privateRoot = createPrivateRoot(parent);
  const seccompFilter = parts.bwrap ? compileSeccompFilter(privateRoot) : null;
  const isolation: SandboxIsolation = { full: parts.isolation.full, missing: parts.isolation.missing, mode, seccomp: seccompFilter !== null };
  if (mode === 'bubblewrap') {
    log({
      level: 'info',
      event: 'sandbox.isolation',
      mode,
      seccomp: isolation.seccomp,
      message: `Inline code runs under bubblewrap${isolation.seccomp ? ' with a seccomp filter' : ' (no seccomp filter: python3-seccomp is not installed)'}.`,
    });
  } else if (mode === 'refused') {
    log({ level: 'warn', event: 'sandbox.isolation', mode, missing: isolation.missing, message: refusal(isolation.missing).message });
  } else {
    log({
      level: 'warn',
      event: 'sandbox.isolation',
      mode,
      missing: isolation.missing,
      message: `UNSAFE: inline code runs WITHOUT isolation (${UNSAFE_ENV}=1): ${isolation.missing.join('; ')} missing.`,
    });
  }
  const maxFileBytes = options.maxFileBytes ?? 64 * MiB;
  const interpreters = new Map<SandboxRunRequest['language'], Promise<Interpreter>>();
  const launcher: Launcher = {
    parts,
    limits: { cpuSeconds: options.cpuSeconds ?? 30, maxProcesses: options.maxProcesses ?? 64, maxFileBytes, tmpfsBytes: maxFileBytes },
    privateRoot,
    seccompFilter,
    interpreter(language) {
      let found = interpreters.get(language);
      if (!found) {
        found =
          language === 'python'
            ? resolvePython(options.python ?? 'python3')
            : Promise.resolve().then(() => (language === 'bash' ? resolveBash(options.bash ?? 'bash') : resolveNode(options.node ?? process.execPath)));
        interpreters.set(language, found);
      }
      return found;
    },
  };
  /** this sandbox's live processes: close() kills these, never another sandbox's (a dev reload runs two side by side) */
  const live = new Set<SandboxProcess>();
  /** python and bash lower their own memory limit per call, so one pool each serves every size; node pools per size */
  const keyOf = (language: SandboxRunRequest['language'], memoryBytes: number) => (language === 'javascript' ? `javascript:${memoryBytes}` : language);
  const spawnFor = async (key: string) => {
    const [language, memory] = key.split(':') as [SandboxRunRequest['language'], string | undefined];
    return track(await launch(launcher, language, Number(memory ?? 0)), live);
  };
  const givenUp = new Set<string>();
  const pool = new WarmPool(options.poolSize ?? 2, MAX_JS_CLASSES + 2, spawnFor, (key, error) => {
    if (givenUp.has(key)) return;
    givenUp.add(key);
    log({
      level: 'error',
      event: 'sandbox.pool',
      key,
      message: `Cannot keep ${key} interpreters warm; calls start cold.`,
      error: error instanceof Error ? error.message : String(error),
    });
  });
  let closed = false;
  /** working-directory and cgroup removals still under way, awaited by close() */
  const housekeeping = new Set<Promise<void>>();
  let coldStarts = 0;
  let served = 0;
  const canRun = mode !== 'refused';
  if (canRun) {
    if (options.warmPython ?? true) pool.fill('python');
    if (options.warmBash ?? false) pool.fill('bash');
    for (const memory of options.warmJavascriptMemory ?? [DEFAULT_JS_MEMORY]) pool.fill(keyOf('javascript', memory));
  }

  return {
    isolation,
    async run(request: SandboxRunRequest): Promise<SandboxRunResult> {
      if (closed) throw new AgentSpecError(ErrorCode.Unavailable, 'The sandbox is closed.');
      if (!canRun) throw refusal(isolation.missing);
      validate(request);
      if (mode === 'unsafe')
        log({
          level: 'warn',
          event: 'sandbox.unsafe_call',
          language: request.language,
          message: `UNSAFE: running inline ${request.language} code without isolation (${UNSAFE_ENV}=1).`,
        });
      if (request.signal?.aborted) throw new AgentSpecError(ErrorCode.Cancelled, 'The inline code was cancelled.');
      const key = keyOf(request.language, request.memoryBytes);
      let proc = givenUp.has(key) ? undefined : pool.take(key);
      if (!proc) {
        coldStarts++;
        proc = await spawnFor(key);
      }
      served++;
      const limits =
        request.language !== 'javascript'
          ? { as: request.memoryBytes, cpu: launcher.limits.cpuSeconds, nproc: launcher.limits.maxProcesses, fsize: maxFileBytes }
          : {};
      try {
        return await proc.run({ code: request.code, env: request.env, limits }, request.stdin, {
          timeoutMs: request.timeoutMs,
          maxOutputBytes: options.maxOutputBytes ?? SANDBOX_OUTPUT_CAP_BYTES,
          signal: request.signal,
        });
      } finally {
        const removal = proc.cleanup();
        housekeeping.add(removal);
        void removal.finally(() => housekeeping.delete(removal));
        if (!closed && !givenUp.has(key)) pool.fill(key);
      }
    },
    async close(): Promise<void> {
      closed = true;
      await pool.close();
      await Promise.all([...live].map((p) => p.cleanup()));
      await Promise.all(housekeeping);
      await leftovers;
      rmSync(privateRoot, { recursive: true, force: true });
    },
    stats: () => ({ ...pool.stats(), coldStarts, served }),
    warm: () => pool.settled(),
  };
}
