/**
 * Deploy figures for the process and docker targets: the first apply, `apply`
 * of an unchanged package (the no-op path: plan, state read, lock), the
 * replacement gap of a changed apply (the longest time the endpoint does not
 * answer /healthz, seen by a poller running beside it), rollback (median of a
 * few, and its ratio to the no-op apply and to the restart floor: the same
 * runtime stopped and started again by hand, without AgentSpec — what any
 * rollback that replaces the runtime costs at least); and the Docker image
 * size and build-and-start time with and without Python.
 */
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import Docker from 'dockerode';
import { serveCommand } from '../local/deploy/deployers.js';
import { processFiles } from '../local/deploy/process/process-files.js';
import { waitHealthy } from '../local/deploy/health.js';
import { readState } from '../local/deploy/state-file.js';
import { measure, ms, section, stats } from './harness.js';
import { applyDeploy, destroyDeploy, rollbackDeploy, type PackageOperation } from '../local/deploy/operations.js';
import { EnvSecretResolver } from '../shared/secrets/env-resolver.js';
import { ensureBaseImage, requireDocker } from '../test/helpers/docker.js';
import { freePort, writePackage, type PackageOptions } from '../test/deploy/helpers/deploy-package.js';

/** the deploy block test/deploy/helpers/deploy-package.ts writes */
const DEPLOY_NAME = 'main';

const PYTHON_SKILL = `
skill "double" {
  description "Doubles a number"
  input {
    n number required
  }
  tool inline {
    language "python"
    code "import json, sys\\nprint(json.dumps({'n': json.load(sys.stdin)['n'] * 2}))"
    timeout "5s"
  }
}
`;

interface Lifecycle {
  first: number;
  median: number;
  p99: number;
  /** image size (docker) */
  tag?: string;
  changed?: number;
  gap?: number;
  rollback?: number;
  rollbackGap?: number;
  /** the bare runtime stopped and started again, median of 3 */
  floor?: number;
}

/**
 * First apply and no-op applies; with `lifecycle`, also a changed apply and a few rollbacks (each going back to
 * the version before the current, so they alternate between the two packages), each under a /healthz poller.
 */
async function run(options: Omit<PackageOptions, 'port'>, lifecycle = false): Promise<Lifecycle> {
  const port = await freePort();
  const file = await writePackage({ ...options, port });
  const op: PackageOperation = {
    file,
    secretResolvers: { env: new EnvSecretResolver({ AGENTSPEC_TEST_ANTHROPIC_KEY: 'bench-key' }) },
    deployer: { removeImages: true },
  };
  const dir = dirname(file);
  try {
    const started = performance.now();
    const applied = await applyDeploy(op);
    const first = performance.now() - started;
    const noop = await measure(() => applyDeploy(op), { iterations: 10, warmup: 1 });
    const tag = applied.state.ids.tag;
    const imageBytes = tag
      ? Number(execFileSync('docker', ['image', 'inspect', '--format', '{{.Size}}', String(tag)], { encoding: 'utf8' }).trim())
      : undefined;
    const result: Lifecycle = { first, median: noop.median, p99: noop.p99, ...(imageBytes ? { tag: `${(imageBytes / 1024 / 1024).toFixed(1)} MiB` } : {}) };
    if (!lifecycle) return result;
    const health = `${String(applied.state.endpoint)}/healthz`;
    await writePackage({ ...options, port, promptText: 'You answer in one word.' }, dir);
    const changed = await underPoller(health, () => applyDeploy(op));
    const rollbacks: { took: number; gap: number }[] = [];
    for (let i = 0; i < 3; i++)
      rollbacks.push(await underPoller(health, () => rollbackDeploy({ dir, ...(op.secretResolvers ? { secretResolvers: op.secretResolvers } : {}) })));
    const floor = stats(await restartFloor(options.target, dir, health)).median;
    return {
      ...result,
      floor,
      changed: changed.took,
      gap: changed.gap,
      rollback: stats(rollbacks.map((r) => r.took)).median,
      rollbackGap: Math.max(...rollbacks.map((r) => r.gap)),
    };
  } finally {
    await destroyDeploy({ dir, deployer: { removeImages: true } }).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * The restart floor, three times: the docker target's container stopped (SIGTERM, drain) and started by the engine
 * until healthy; for the process target, the serve entry started by hand on the same IR until healthy, then stopped.
 */
async function restartFloor(target: PackageOptions['target'], dir: string, health: string): Promise<number[]> {
  const samples: number[] = [];
  const current = (await readState(dir)).targets[DEPLOY_NAME];
  for (let i = 0; i < 3; i++) {
    const started = performance.now();
    if (target === 'docker') {
      const docker = new Docker();
      const container = docker.getContainer(String(current?.ids.container));
      await container.stop({ t: 10 });
      await container.start();
      await waitHealthy(health, { timeoutMs: 60_000 });
    } else {
      const port = await freePort();
      const [command, ...args] = serveCommand();
      const child = spawn(command!, args, {
        cwd: dir,
        env: { ...process.env, AGENTSPEC_IR: processFiles(dir, DEPLOY_NAME).ir, HOST: '127.0.0.1', PORT: String(port), ANTHROPIC_API_KEY: 'bench-key' },
        stdio: 'ignore',
      });
      await waitHealthy(`http://127.0.0.1:${port}/healthz`, { timeoutMs: 60_000 });
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    }
    samples.push(performance.now() - started);
  }
  return samples;
}

/**
 * Runs `operation` while a poller asks `url` again and again (each request as soon as the last one ended) and
 * returns how long the operation took and the longest interval between two answers (200) seen during it.
 */
async function underPoller(url: string, operation: () => Promise<unknown>): Promise<{ took: number; gap: number }> {
  let done = false;
  let last = performance.now();
  let gap = 0;
  const answered = async (): Promise<boolean> => {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
      await response.body?.cancel();
      return response.ok;
    } catch {
      return false;
    }
  };
  const poller = (async () => {
    // after the operation, polls on until the endpoint answers again: that closes the last interval
    for (let ok = false; !done || !ok;) {
      ok = await answered();
      if (!ok) continue;
      const now = performance.now();
      gap = Math.max(gap, now - last);
      last = now;
    }
  })();
  const started = performance.now();
  try {
    await operation();
  } finally {
    done = true;
  }
  const took = performance.now() - started;
  await poller;
  return { took, gap };
}

export default async function deployBench(): Promise<void> {
  const processRun = await run({ target: 'process' }, true);
  section('deploy: process target', lifecycleRows(processRun));

  requireDocker();
  const base = await ensureBaseImage();
  const withPython = await ensureBaseImage({ python: true });
  const plain = await run({ target: 'docker', deployLines: [`base_image "${base}"`] }, true);
  const python = await run({ target: 'docker', deployLines: [`base_image "${withPython}"`], extraSource: PYTHON_SKILL });
  section('deploy: docker target (offline base images, vfs storage)', [
    ['first apply without Python (bundle + build + start)', ms(plain.first)],
    ['image size without Python', plain.tag ?? '?'],
    ['first apply with Python (bundle + build + start)', ms(python.first)],
    ['image size with Python', python.tag ?? '?'],
    ...lifecycleRows(plain).slice(1),
  ]);
}

function lifecycleRows(r: Lifecycle): [string, string][] {
  const ratio = r.rollback !== undefined ? `${(r.rollback / r.median).toFixed(1)}x (goal <= 2x)` : '?';
  return [
    ['first apply (start + healthy)', ms(r.first)],
    ['apply unchanged (no-op), median', ms(r.median)],
    ['apply unchanged (no-op), p99', ms(r.p99)],
    ['apply changed (replace the runtime)', r.changed !== undefined ? ms(r.changed) : '?'],
    ['replacement gap: longest time /healthz did not answer', r.gap !== undefined ? ms(r.gap) : '?'],
    ['rollback, median of 3', r.rollback !== undefined ? ms(r.rollback) : '?'],
    ['rollback gap: longest time /healthz did not answer', r.rollbackGap !== undefined ? ms(r.rollbackGap) : '?'],
    ['rollback / no-op apply', ratio],
    ['restart floor: the bare runtime stopped and started again, median of 3', r.floor !== undefined ? ms(r.floor) : '?'],
    ['rollback / restart floor', r.rollback !== undefined && r.floor !== undefined ? `${(r.rollback / r.floor).toFixed(2)}x` : '?'],
    ['rollback / changed apply', r.rollback !== undefined && r.changed !== undefined ? `${(r.rollback / r.changed).toFixed(2)}x` : '?'],
  ];
}
