/**
 * Deploy figures: `apply` of an unchanged package (the no-op path: plan,
 * state read, lock) for the process and docker targets, and the Docker image
 * size and build-and-start time with and without Python.
 */
import { execFileSync } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { measure, ms, section } from './harness.js';
import { applyDeploy, destroyDeploy, type PackageOperation } from '../local/deploy/operations.js';
import { EnvSecretResolver } from '../shared/secrets/env-resolver.js';
import { ensureBaseImage, requireDocker } from '../test/helpers/docker.js';
import { freePort, writePackage, type PackageOptions } from '../test/deploy/helpers/deploy-package.js';

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

async function operation(options: Omit<PackageOptions, 'port'>): Promise<PackageOperation> {
  const file = await writePackage({ ...options, port: await freePort() });
  return { file, secretResolvers: { env: new EnvSecretResolver({ AGENTSPEC_TEST_ANTHROPIC_KEY: 'bench-key' }) }, deployer: { removeImages: true } };
}

async function noOp(options: Omit<PackageOptions, 'port'>): Promise<{ first: number; median: number; p99: number; tag?: string }> {
  const op = await operation(options);
  try {
    const started = performance.now();
    const applied = await applyDeploy(op);
    const first = performance.now() - started;
    const stats = await measure(() => applyDeploy(op), { iterations: 10, warmup: 1 });
    const tag = applied.state.ids.tag;
    const imageBytes = tag
      ? Number(execFileSync('docker', ['image', 'inspect', '--format', '{{.Size}}', String(tag)], { encoding: 'utf8' }).trim())
      : undefined;
    return { first, median: stats.median, p99: stats.p99, ...(imageBytes ? { tag: `${(imageBytes / 1024 / 1024).toFixed(1)} MiB` } : {}) };
  } finally {
    await destroyDeploy({ dir: dirname(op.file), deployer: { removeImages: true } }).catch(() => undefined);
    await rm(dirname(op.file), { recursive: true, force: true });
  }
}

export default async function deployBench(): Promise<void> {
  const processRun = await noOp({ target: 'process' });
  section('deploy: process target', [
    ['first apply (start + healthy)', ms(processRun.first)],
    ['apply unchanged (no-op), median', ms(processRun.median)],
    ['apply unchanged (no-op), p99', ms(processRun.p99)],
  ]);

  requireDocker();
  const base = await ensureBaseImage();
  const withPython = await ensureBaseImage({ python: true });
  const plain = await noOp({ target: 'docker', deployLines: [`base_image "${base}"`] });
  const python = await noOp({ target: 'docker', deployLines: [`base_image "${withPython}"`], extraSource: PYTHON_SKILL });
  section('deploy: docker target (offline base images, vfs storage)', [
    ['first apply without Python (bundle + build + start)', ms(plain.first)],
    ['image size without Python', plain.tag ?? '?'],
    ['first apply with Python (bundle + build + start)', ms(python.first)],
    ['image size with Python', python.tag ?? '?'],
    ['apply unchanged (no-op), median', ms(plain.median)],
    ['apply unchanged (no-op), p99', ms(plain.p99)],
  ]);
}
