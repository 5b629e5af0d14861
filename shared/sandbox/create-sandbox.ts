/**
 * `createSandbox`: the inline-code sandbox with its warm pool. Probes the
 * machine once, logs once which isolation is missing, and serves each request
 * with a pre-started single-use interpreter when one is waiting (cold
 * otherwise).
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AgentSpecError, ErrorCode } from '../errors.js';
import { resolveNode, resolvePython, type Interpreter } from './interpreters.js';
import { launch, type Launcher } from './launcher.js';
import type { SandboxProcess } from './sandbox-process.js';
import { probeSystem, type SystemParts } from './system-probe.js';
import type { Sandbox, SandboxRunRequest, SandboxRunResult } from './types.js';
import { WarmPool, type PoolStats } from './warm-pool.js';

export interface SandboxOptions {
  /** pre-started processes per language (and per javascript memory size); 0 disables the pool. Default 2. */
  poolSize?: number;
  /** refuse to run (`unavailable`) unless isolation is full */
  requireFullIsolation?: boolean;
  /** structured log sink; default: one JSON line on stderr */
  logger?: (line: Record<string, unknown>) => void;
  /** python command or path (default `python3`) */
  python?: string;
  /** node binary (default: the runtime's own `process.execPath`) */
  node?: string;
  /** cap for each of stdout and stderr (default 1 MiB) */
  maxOutputBytes?: number;
  /** CPU seconds per process (default 30) */
  cpuSeconds?: number;
  /** processes (and threads) per sandbox (default 64) */
  maxProcesses?: number;
  /** largest file the code may write (default 64 MiB); also the size of its /tmp */
  maxFileBytes?: number;
  /** javascript memory sizes to pre-start at creation (default [256 MiB], the language's default `memory`) */
  warmJavascriptMemory?: number[];
  /** where per-call working directories are made (default `<os tmpdir>/agentspec-sandbox`) */
  workRoot?: string;
  /** probe result override (tests of the degraded mode) */
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
/** javascript memory sizes kept warm at once, besides python */
const MAX_JS_CLASSES = 3;

function defaultLogger(line: Record<string, unknown>): void {
  process.stderr.write(`${JSON.stringify(line)}\n`);
}

/** Every live sandbox process of this runtime, killed if the runtime exits without close(). */
const live = new Set<SandboxProcess>();
let exitHookInstalled = false;
function track(proc: SandboxProcess): SandboxProcess {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const p of live) p.killTree();
    });
  }
  live.add(proc);
  void proc.exited.then(() => live.delete(proc));
  return proc;
}

function validate(request: SandboxRunRequest): void {
  const problems: string[] = [];
  if (request.language !== 'python' && request.language !== 'javascript') problems.push(`language must be python or javascript, not ${String(request.language)}`);
  if (typeof request.code !== 'string') problems.push('code must be a string');
  if (!(request.timeoutMs > 0)) problems.push('timeoutMs must be positive');
  if (!(request.memoryBytes > 0)) problems.push('memoryBytes must be positive');
  for (const [key, value] of Object.entries(request.env ?? {})) {
    if (!key || key.includes('=') || typeof value !== 'string') problems.push(`env entry "${key}" must be a name without "=" and a string value`);
  }
  if (problems.length) throw new AgentSpecError(ErrorCode.InvalidRequest, `Invalid sandbox request: ${problems.join('; ')}.`, { details: { problems } });
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
  const parts = options.system ?? probeSystem();
  const isolation = parts.isolation;
  if (!isolation.full) {
    log({ level: 'warn', event: 'sandbox.isolation', missing: isolation.missing, message: `Inline code runs without full isolation: ${isolation.missing.join(', ')} missing.` });
  }
  const maxFileBytes = options.maxFileBytes ?? 64 * MiB;
  const interpreters = new Map<SandboxRunRequest['language'], Promise<Interpreter>>();
  const launcher: Launcher = {
    parts,
    limits: { cpuSeconds: options.cpuSeconds ?? 30, maxProcesses: options.maxProcesses ?? 64, maxFileBytes, tmpfsBytes: maxFileBytes },
    workRoot: options.workRoot ?? join(tmpdir(), 'agentspec-sandbox'),
    interpreter(language) {
      let found = interpreters.get(language);
      if (!found) {
        found = language === 'python' ? resolvePython(options.python ?? 'python3') : Promise.resolve().then(() => resolveNode(options.node ?? process.execPath));
        interpreters.set(language, found);
      }
      return found;
    },
  };
  const keyOf = (language: SandboxRunRequest['language'], memoryBytes: number) => (language === 'python' ? 'python' : `javascript:${memoryBytes}`);
  const spawnFor = async (key: string) => {
    const [language, memory] = key.split(':') as [SandboxRunRequest['language'], string | undefined];
    return track(await launch(launcher, language, Number(memory ?? 0)));
  };
  const givenUp = new Set<string>();
  const pool = new WarmPool(options.poolSize ?? 2, MAX_JS_CLASSES + 1, spawnFor, (key, error) => {
    if (givenUp.has(key)) return;
    givenUp.add(key);
    log({ level: 'error', event: 'sandbox.pool', key, message: `Cannot keep ${key} interpreters warm; calls start cold.`, error: error instanceof Error ? error.message : String(error) });
  });
  let closed = false;
  /** working-directory and cgroup removals still under way, awaited by close() */
  const housekeeping = new Set<Promise<void>>();
  let coldStarts = 0;
  let served = 0;
  const canRun = !options.requireFullIsolation || isolation.full;
  if (canRun) {
    pool.fill('python');
    for (const memory of options.warmJavascriptMemory ?? [DEFAULT_JS_MEMORY]) pool.fill(keyOf('javascript', memory));
  }

  return {
    isolation,
    async run(request: SandboxRunRequest): Promise<SandboxRunResult> {
      if (closed) throw new AgentSpecError(ErrorCode.Unavailable, 'The sandbox is closed.');
      if (!canRun) {
        throw new AgentSpecError(ErrorCode.Unavailable, `Inline code is refused: full isolation is required but ${isolation.missing.join(', ')} missing.`, {
          details: { missing: isolation.missing },
        });
      }
      validate(request);
      if (request.signal?.aborted) throw new AgentSpecError(ErrorCode.Cancelled, 'The inline code was cancelled.');
      const key = keyOf(request.language, request.memoryBytes);
      let proc = givenUp.has(key) ? undefined : pool.take(key);
      if (!proc) {
        coldStarts++;
        proc = await spawnFor(key);
      }
      served++;
      const limits = request.language === 'python' ? { as: request.memoryBytes, cpu: launcher.limits.cpuSeconds, nproc: launcher.limits.maxProcesses, fsize: maxFileBytes } : {};
      try {
        return await proc.run({ code: request.code, env: request.env, limits }, request.stdin, {
          timeoutMs: request.timeoutMs,
          maxOutputBytes: options.maxOutputBytes ?? MiB,
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
    },
    stats: () => ({ ...pool.stats(), coldStarts, served }),
    warm: () => pool.settled(),
  };
}
