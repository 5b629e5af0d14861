/**
 * Inline code start latency, sandbox on: the warm pool against cold sandboxed
 * starts and bare interpreter starts, measured side by side; then where a
 * warm call's time goes, phase by phase.
 *
 * Call rate: before each measured warm call the bench waits until the pool is
 * refilled and ready (the sandbox refills after each call, in the
 * background). That is the steady state of an agent calling a tool every few
 * hundred milliseconds or less often; a burst faster than the refill falls
 * back to cold starts, shown separately.
 */
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { createSandbox, probeSystem, type PooledSandbox, type SandboxRunRequest } from '../shared/sandbox/index.js';
import { resolveBash, resolveNode, resolvePython } from '../shared/sandbox/interpreters.js';
import { bwrapArgs, type BwrapOptions } from '../shared/sandbox/bwrap-args.js';
import { launch, type Launcher } from '../shared/sandbox/launcher.js';
import { compileSeccompFilter } from '../shared/sandbox/seccomp-filter.js';
import { createPrivateRoot } from '../shared/sandbox/work-root.js';
import { ms, section, stats, type Stats } from './harness.js';

const run = promisify(execFile);
const MiB = 1024 * 1024;
const TRIVIAL: Record<SandboxRunRequest['language'], string> = { python: 'print("ok")', javascript: 'console.log("ok")', bash: 'echo ok' };

function request(language: SandboxRunRequest['language']): SandboxRunRequest {
  return { language, code: TRIVIAL[language], stdin: '{}', env: {}, timeoutMs: 10_000, memoryBytes: 256 * MiB };
}

async function timed(n: number, before: () => Promise<unknown>, fn: () => Promise<unknown>): Promise<Stats> {
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    await before();
    const t0 = performance.now();
    await fn();
    samples.push(performance.now() - t0);
  }
  return stats(samples);
}

async function callOk(sandbox: PooledSandbox, language: SandboxRunRequest['language']): Promise<void> {
  const result = await sandbox.run(request(language));
  if (result.stdout.trim() !== 'ok') throw new Error(`sandbox call failed: ${result.stderr.slice(-300)}`);
}

/** The languages whose code can read CLOCK_MONOTONIC itself (bash has only the wall clock). */
type StampedLanguage = Exclude<SandboxRunRequest['language'], 'bash'>;

/**
 * Trivial code that stamps (CLOCK_MONOTONIC, the same clock inside the PID
 * namespace as on the host) when it starts, when its print returned and when
 * its last exit handler ran, on stderr.
 */
const STAMPED: Record<StampedLanguage, string> = {
  python: `import atexit, sys, time\n_s = time.monotonic_ns()\nprint("ok")\n_c = time.monotonic_ns()\natexit.register(lambda: sys.stderr.write(f"{_s} {_c} {time.monotonic_ns()}\\n"))`,
  javascript: `const s = process.hrtime.bigint(); console.log("ok"); const c = process.hrtime.bigint(); process.on('exit', () => process.stderr.write(\`\${s} \${c} \${process.hrtime.bigint()}\\n\`));`,
};

/** The bubblewrap arguments without this release's hardening: no forced user namespace, uid, hostname, capability drop, seccomp or PID 1 mask. */
function unhardened(options: BwrapOptions): string[] {
  const { seccompFd: _dropped, ...withoutFilter } = options;
  const args = bwrapArgs(withoutFilter);
  const dropped = new Map([
    ['--unshare-user', 0],
    ['--uid', 1],
    ['--gid', 1],
    ['--hostname', 1],
    ['--cap-drop', 1],
  ]);
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--ro-bind' && args[i + 2] === '/proc/1/cmdline') i += 2;
    else if (dropped.has(args[i]!)) i += dropped.get(args[i]!)!;
    else out.push(args[i]!);
  }
  return out;
}

/** A launcher with the sandbox's default limits and a private directory of its own (the caller removes it); with the seccomp filter when asked and available. */
function benchLauncher(seccomp: boolean): Launcher {
  const parts = probeSystem();
  const privateRoot = createPrivateRoot(tmpdir());
  return {
    parts,
    limits: { cpuSeconds: 30, maxProcesses: 64, maxFileBytes: 64 * MiB, tmpfsBytes: 64 * MiB },
    privateRoot,
    seccompFilter: seccomp && parts.bwrap ? compileSeccompFilter(privateRoot) : null,
    interpreter: async (lang) => (lang === 'python' ? resolvePython('python3') : lang === 'bash' ? resolveBash('bash') : resolveNode(process.execPath)),
  };
}

/**
 * What the hardening costs a warm call: pre-started processes of three
 * launchers (unhardened, hardened without the seccomp filter, hardened),
 * taken in turn, each handed trivial code once it is ready and idle.
 */
async function hardeningCost(language: SandboxRunRequest['language'], n: number): Promise<Stats[]> {
  const base = benchLauncher(false);
  const { privateRoot } = base;
  const launchers = [{ ...base, bwrapArgs: unhardened }, base, { ...base, seccompFilter: compileSeccompFilter(privateRoot) }];
  const samples: number[][] = launchers.map(() => []);
  try {
    for (let i = 0; i < n; i++) {
      for (const [k, launcher] of launchers.entries()) {
        const proc = await launch(launcher, language, 256 * MiB);
        await proc.ready;
        await new Promise((resolve) => setTimeout(resolve, 30)); // idle in its blocking read, as a pooled process is
        const t0 = performance.now();
        const result = await proc.run({ code: TRIVIAL[language], env: {}, limits: language === 'javascript' ? {} : { as: 256 * MiB } }, '{}', {
          timeoutMs: 10_000,
          maxOutputBytes: MiB,
        });
        samples[k]!.push(performance.now() - t0);
        await proc.cleanup();
        if (result.stdout.trim() !== 'ok') throw new Error(`hardening-cost call failed: ${result.stderr.slice(-300)}`);
      }
    }
  } finally {
    rmSync(privateRoot, { recursive: true, force: true });
  }
  return samples.map(stats);
}

/** Where a warm call's time goes: one pre-started process per sample, handed the stamped code once it is ready. */
async function phases(language: StampedLanguage, n: number): Promise<[string, string][]> {
  const launcher = benchLauncher(true);
  const { privateRoot } = launcher;
  const columns: number[][] = [[], [], [], [], []];
  const now = () => process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    const proc = await launch(launcher, language, 256 * MiB);
    await proc.ready;
    await new Promise((resolve) => setTimeout(resolve, 50)); // let the interpreter settle into its blocking read
    let gone = 0n;
    void proc.exited.then(() => (gone = now()));
    const t0 = now();
    const result = await proc.run({ code: STAMPED[language], env: {}, limits: language === 'python' ? { as: 256 * MiB } : {} }, '{}', {
      timeoutMs: 10_000,
      maxOutputBytes: MiB,
    });
    const done = now();
    await proc.cleanup();
    const [start, printed, exitHandler] = result.stderr
      .trim()
      .split(' ')
      .map((x) => BigInt(x));
    if (result.exitCode !== 0 || start === undefined || printed === undefined || exitHandler === undefined)
      throw new Error(`stamped call failed: ${result.stderr.slice(-300)}`);
    const points = [t0, start, printed, exitHandler, done, gone];
    points.slice(1).forEach((point, k) => columns[k]!.push(Number(point - points[k]!) / 1e6));
  }
  rmSync(privateRoot, { recursive: true, force: true });
  const labels = [
    'host writes the request -> code starts',
    'first print',
    'print -> last exit handler',
    'last exit handler -> call result (status on fd 3, kill)',
    'call result -> interpreter gone (off the call path; < 0: gone first)',
  ];
  return labels.map((label, k) => [`${label}: median`, ms(stats(columns[k]!).median)]);
}

export default async function sandboxBench(): Promise<void> {
  const warm = createSandbox({ poolSize: 2, warmBash: true, logger: () => undefined });
  const cold = createSandbox({ poolSize: 0, logger: () => undefined });
  const python = (await resolvePython('python3')).binary;
  const bash = resolveBash('bash').binary;
  /** each interpreter started bare, doing nothing, outside the sandbox */
  const bareStarts = {
    python: { label: 'python3 -S -c pass', start: () => run(python, ['-S', '-c', 'pass']) },
    javascript: { label: 'node -e 0', start: () => run(process.execPath, ['-e', '0']) },
    bash: { label: 'bash -c :', start: () => run(bash, ['--norc', '--noprofile', '-c', ':']) },
  };
  const noop = async () => undefined;
  try {
    await warm.warm();
    for (const language of ['python', 'javascript', 'bash'] as const) {
      const bare = bareStarts[language].start;
      await callOk(warm, language); // first call of the process: module loading etc.
      const before = warm.stats();
      const pooled = await timed(
        40,
        () => warm.warm(),
        () => callOk(warm, language),
      );
      const hits = warm.stats().warmHits - before.warmHits;
      const burst = await timed(10, noop, () => callOk(warm, language));
      const coldStart = await timed(10, noop, () => callOk(cold, language));
      const bareStart = await timed(10, noop, bare);
      const [plain, namespaced, filtered] = await hardeningCost(language, 30);
      section(`inline ${language}, trivial code, sandbox ${warm.isolation.mode}${warm.isolation.seccomp ? ' + seccomp' : ''}`, [
        ['warm pool, pool refilled between calls: median', ms(pooled.median)],
        ['warm pool: p99', ms(pooled.p99)],
        ['warm calls served from the pool', `${hits} of ${pooled.samples}`],
        ['burst of 10 back-to-back calls (pool of 2 drains): median', ms(burst.median)],
        ['cold sandboxed start (no pool): median', ms(coldStart.median)],
        ['cold sandboxed start: p99', ms(coldStart.p99)],
        [`bare ${bareStarts[language].label} (no sandbox): median`, ms(bareStart.median)],
        ['warm / bare start', `${(pooled.median / bareStart.median).toFixed(2)}x`],
        ['cold sandboxed / bare start', `${(coldStart.median / bareStart.median).toFixed(2)}x`],
        ['goal: warm median <= 15 ms', pooled.median <= 15 ? 'met' : 'NOT met'],
        ['warm call, unhardened bubblewrap (taken in turn with the next two): median', ms(plain!.median)],
        ['warm call, user namespace + no capabilities + masks, no seccomp: median', ms(namespaced!.median)],
        ['warm call, fully hardened (+ seccomp filter): median', ms(filtered!.median)],
        ['hardening cost per warm call (goal <= 1 ms)', `${(filtered!.median - plain!.median).toFixed(2)} ms`],
      ]);
    }
    for (const language of ['python', 'javascript'] as const) section(`inline ${language}: phases of a warm call (20 samples)`, await phases(language, 20));
  } finally {
    await warm.close();
    await cold.close();
  }
}
