/**
 * Inline code start latency, sandbox on: the warm pool against cold sandboxed
 * starts and bare interpreter starts, measured side by side.
 *
 * Call rate: before each measured warm call the bench waits until the pool is
 * refilled and ready (the sandbox refills after each call, in the
 * background). That is the steady state of an agent calling a tool every few
 * hundred milliseconds or less often; a burst faster than the refill falls
 * back to cold starts, shown separately.
 */
import { execFile } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { createSandbox, type PooledSandbox, type SandboxRunRequest } from '../shared/sandbox/index.js';
import { resolvePython } from '../shared/sandbox/interpreters.js';
import { ms, section, stats, type Stats } from './harness.js';

const run = promisify(execFile);
const MiB = 1024 * 1024;
const TRIVIAL = { python: 'print("ok")', javascript: 'console.log("ok")' } as const;

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

export default async function sandboxBench(): Promise<void> {
  const warm = createSandbox({ poolSize: 2, logger: () => undefined });
  const cold = createSandbox({ poolSize: 0, logger: () => undefined });
  const python = (await resolvePython('python3')).binary;
  const noop = async () => undefined;
  try {
    await warm.warm();
    for (const language of ['python', 'javascript'] as const) {
      const bare = language === 'python' ? () => run(python, ['-S', '-c', 'pass']) : () => run(process.execPath, ['-e', '0']);
      await callOk(warm, language); // first call of the process: module loading etc.
      const before = warm.stats();
      const pooled = await timed(40, () => warm.warm(), () => callOk(warm, language));
      const hits = warm.stats().warmHits - before.warmHits;
      const burst = await timed(10, noop, () => callOk(warm, language));
      const coldStart = await timed(10, noop, () => callOk(cold, language));
      const bareStart = await timed(10, noop, bare);
      section(`inline ${language}, trivial code, sandbox ${warm.isolation.full ? 'on (bubblewrap)' : `degraded: ${warm.isolation.missing.join(', ')}`}`, [
        ['warm pool, pool refilled between calls: median', ms(pooled.median)],
        ['warm pool: p99', ms(pooled.p99)],
        ['warm calls served from the pool', `${hits} of ${pooled.samples}`],
        ['burst of 10 back-to-back calls (pool of 2 drains): median', ms(burst.median)],
        ['cold sandboxed start (no pool): median', ms(coldStart.median)],
        ['cold sandboxed start: p99', ms(coldStart.p99)],
        [`bare ${language === 'python' ? 'python3 -S -c pass' : 'node -e 0'} (no sandbox): median`, ms(bareStart.median)],
        ['warm / bare start', `${(pooled.median / bareStart.median).toFixed(2)}x`],
        ['cold sandboxed / bare start', `${(coldStart.median / bareStart.median).toFixed(2)}x`],
        ['goal: warm median <= 15 ms', pooled.median <= 15 ? 'met' : 'NOT met'],
      ]);
    }
  } finally {
    await warm.close();
    await cold.close();
  }
}
