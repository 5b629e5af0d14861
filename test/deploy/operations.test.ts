import { readFile, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { EnvSecretResolver } from '../../shared/secrets/env-resolver.js';
import { isAgentSpecError } from '../../shared/errors.js';
import { applyDeploy, destroyDeploy, statusDeploy, type PackageOperation } from '../../local/deploy/operations.js';
import { lockPath } from '../../local/deploy/state-lock.js';
import { readState, statePath, writeState } from '../../local/deploy/state-file.js';
import { procStat } from '../../local/deploy/process/process-control.js';
import { processFiles } from '../../local/deploy/process/process-files.js';
import { failureOf } from '../helpers/rejection.js';
import { deadPid } from './helpers/processes.js';
import { freePort, writePackage } from './helpers/deploy-package.js';
import { startFakeAnthropic, type FakeAnthropic } from '../helpers/fake-anthropic/index.js';

const SECRET = 'sk-operations-secret-0c3e';
let op: PackageOperation;
let port: number;
let fake: FakeAnthropic;

beforeAll(async () => {
  fake = await startFakeAnthropic();
  // slow answers, so a request is still in flight when the runtime is replaced
  fake.respond(() => ({ text: 'slow answer', firstByteDelayMs: 1500 }));
  port = await freePort();
  const file = await writePackage({ target: 'process', port });
  op = { file, secretResolvers: { env: new EnvSecretResolver({ AGENTSPEC_TEST_ANTHROPIC_KEY: SECRET }) }, deployer: { env: { ANTHROPIC_BASE_URL: fake.url } } };
});

afterAll(async () => {
  await destroyDeploy({ dir: dirname(op.file) }).catch(() => undefined);
  await rm(dirname(op.file), { recursive: true, force: true });
  await fake?.close();
});

describe('apply over the locked state', { timeout: 60_000 }, () => {
  it('recovers from an apply killed mid-way (stale lock, in_progress state)', async () => {
    // Prepare: what a killed apply leaves behind
    const dir = dirname(op.file);
    await writeFile(lockPath(dir), JSON.stringify({ pid: deadPid(), host: hostname(), started: new Date().toISOString(), command: 'apply' }));
    await writeState(dir, {
      version: 1,
      targets: { main: { target: 'main', kind: 'process', ir_hash: '', ids: {}, fingerprints: {}, applied_at: new Date().toISOString(), in_progress: true } },
    });
    // Act
    const result = await applyDeploy(op);
    // Assess
    const state = await readState(dir);
    expect(result.changed).toBe(true);
    expect(state.targets.main?.in_progress).toBeUndefined();
    expect(state.targets.main?.ids.pid).toEqual(expect.any(Number));
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    await expect(readFile(lockPath(dir), 'utf8')).rejects.toThrow();
  });

  it('lets one of two concurrent applies run and fails the other at once naming the holder', async () => {
    // Prepare: a change, so the winner has real work to do while the other tries
    await writePackage({ target: 'process', port, promptText: 'Changed.' }, dirname(op.file));
    // Act: the second apply starts once the first holds the lock (waited for, not guessed with a delay)
    const settled: Record<string, number> = {};
    const winner = applyDeploy(op).finally(() => (settled.first = Date.now()));
    const holds = vi.waitFor(() => readFile(lockPath(dirname(op.file)), 'utf8'), { timeout: 10_000, interval: 10 });
    const [first, second] = await Promise.allSettled([winner, holds.then(() => applyDeploy(op).finally(() => (settled.second = Date.now())))]);
    // Assess
    expect(first.status).toBe('fulfilled');
    expect(second.status).toBe('rejected');
    const reason = (second as PromiseRejectedResult).reason as Error;
    expect(isAgentSpecError(reason) && reason.code).toBe('lock_held');
    expect(reason.message).toContain(`pid ${process.pid} on ${hostname()}`);
    // at once: the loser is refused while the winner is still working
    expect(settled.second).toBeLessThan(settled.first ?? 0);
  });

  it('lets an in-flight request finish when a changed package replaces the runtime', async () => {
    // Prepare
    await writePackage({ target: 'process', port, promptText: 'Changed again.' }, dirname(op.file));
    const asked = fake.requests.length;
    const inFlight = fetch(`http://127.0.0.1:${port}/v1/agents/echo/invoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ message: 'ping' }),
    });
    // in flight once the runtime has asked the model, which answers 1.5 s later
    await vi.waitFor(() => expect(fake.requests.length).toBeGreaterThan(asked), { timeout: 10_000, interval: 10 });
    // Act
    const result = await applyDeploy(op);
    const response = await inFlight;
    // Assess
    expect(result.changed).toBe(true);
    expect(response.status).toBe(200);
    expect(((await response.json()) as { output: string }).output).toBe('slow answer');
  });

  it('never writes a secret value into the state or the applied package', async () => {
    const dir = dirname(op.file);
    const state = await readFile(join(dir, '.agentspec.state.json'), 'utf8');
    const applied = await readFile(join(dir, '.agentspec', 'main.applied.json'), 'utf8');
    expect(state).not.toContain(SECRET);
    expect(applied).not.toContain(SECRET);
  });

  it('refuses to apply over a corrupt state: the running runtime is untouched and no second one starts', async () => {
    // Prepare: a changed package (a valid state would replace the runtime) over a state whose pid is a string
    const dir = dirname(op.file);
    const good = await readFile(statePath(dir), 'utf8');
    const pidFile = await readFile(processFiles(dir, 'main').pid, 'utf8');
    const running = (await readState(dir)).targets.main?.ids ?? {};
    await writePackage({ target: 'process', port, promptText: 'Changed once more.' }, dir);
    const corrupt = JSON.parse(good) as { targets: { main: { ids: Record<string, unknown> } } };
    corrupt.targets.main.ids.pid = String(running.pid);
    await writeFile(statePath(dir), JSON.stringify(corrupt));
    try {
      // Act
      const error = await failureOf(applyDeploy(op));
      // Assess
      expect(error.code).toBe('deploy_error');
      expect(error.message).toContain(`${statePath(dir)}: targets.main.ids.pid must be an integer`);
      expect(procStat(Number(running.pid))?.start).toBe(running.pid_start);
      expect(await readFile(processFiles(dir, 'main').pid, 'utf8')).toBe(pidFile);
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    } finally {
      await writeFile(statePath(dir), good);
    }
  });

  it('gives status and destroy over a corrupt target entry a located deploy_error, not a TypeError', async () => {
    const dir = dirname(op.file);
    const good = await readFile(statePath(dir), 'utf8');
    const corrupt = JSON.parse(good) as { targets: { main: { ids: unknown } } };
    corrupt.targets.main.ids = null;
    await writeFile(statePath(dir), JSON.stringify(corrupt));
    try {
      for (const attempt of [statusDeploy({ dir }), destroyDeploy({ dir })]) {
        const error = await failureOf(attempt);
        expect(error.code).toBe('deploy_error');
        expect(error.message).toContain(`${statePath(dir)}: targets.main.ids must be an object`);
      }
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    } finally {
      await writeFile(statePath(dir), good);
    }
  });
});
