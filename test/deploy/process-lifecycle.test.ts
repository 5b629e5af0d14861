/**
 * The process target for a real user, against real runtime processes: a
 * version that fails at start leaves the previous one serving; a busy
 * port, a missing secret or an IR file that cannot be written is found
 * before the running version is stopped; diff reports a process killed by
 * hand and a port taken by something else.
 */
import { createServer, type Server } from 'node:net';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EnvSecretResolver } from '../../shared/secrets/env-resolver.js';
import { applyDeploy, destroyDeploy, diffDeploy, statusDeploy, type PackageOperation } from '../../local/deploy/operations.js';
import { readState } from '../../local/deploy/state-file.js';
import type { TargetState } from '../../local/deploy/types.js';
import { standing } from '../../local/deploy/process/process-control.js';
import { processFiles } from '../../local/deploy/process/process-files.js';
import { startFakeAnthropic, type FakeAnthropic } from '../helpers/fake-anthropic/index.js';
import { failureOf } from '../helpers/rejection.js';
import { freePort, packageSource, writePackage } from './helpers/deploy-package.js';
import { killByHand } from './helpers/kill-by-hand.js';

const KEY = 'test-only-anthropic-key';

describe('process target: failed applies, preflight and drift', { timeout: 120_000 }, () => {
  let fake: FakeAnthropic;
  let file: string;
  let port: number;
  let op: PackageOperation;
  const write = (promptText: string, edit: (source: string) => string = (s) => s) =>
    writeFile(file, edit(packageSource({ name: 'lifecycle', target: 'process', port, promptText })));
  const served = async (): Promise<string | undefined> => ((await (await fetch(`http://127.0.0.1:${port}/healthz`)).json()) as { ir_hash?: string }).ir_hash;
  const recorded = async (): Promise<TargetState | undefined> => (await readState(dirname(file))).targets.main;
  const stillServing = async (before: TargetState | undefined) => {
    expect(await recorded()).toEqual(before);
    expect(standing(Number(before?.ids.pid), String(before?.ids.pid_start))).toBe('ours');
    expect(await served()).toBe(before?.ir_hash);
  };

  beforeAll(async () => {
    fake = await startFakeAnthropic();
    fake.respond(() => ({ text: 'pong' }));
    port = await freePort();
    file = await writePackage({ name: 'lifecycle', target: 'process', port });
    op = {
      file,
      deployer: { env: { ANTHROPIC_BASE_URL: fake.url } },
      secretResolvers: { env: new EnvSecretResolver({ AGENTSPEC_TEST_ANTHROPIC_KEY: KEY }) },
    };
    await applyDeploy(op);
  }, 60_000);

  afterAll(async () => {
    await destroyDeploy({ dir: dirname(file) }).catch(() => undefined);
    await fake?.close();
    await rm(dirname(file), { recursive: true, force: true });
  });

  it('a version that fails at start leaves the previous version answering with its IR hash', async () => {
    // Prepare: the serve entry refuses Redis sessions without a Redis URL
    const before = await recorded();
    await write('Broken.', (s) => s.replace('LOG_LEVEL "info"', 'LOG_LEVEL "info"\n    AGENTSPEC_SESSIONS "redis"'));
    // Act
    const error = await failureOf(applyDeploy(op));
    // Assess
    const after = await recorded();
    const [status] = await statusDeploy({ dir: dirname(file) });
    expect(error.code).toBe('deploy_error');
    expect(error.details.previous_restored).toBe(true);
    expect(error.message).toContain('Last log lines of that runtime');
    expect(error.message).toContain('REDIS_URL is not set');
    expect(error.message).toContain('was restarted and serves again');
    expect(await served()).toBe(before?.ir_hash);
    expect(after?.ir_hash).toBe(before?.ir_hash);
    expect(after?.in_progress).toBeUndefined();
    expect(standing(Number(after?.ids.pid), String(after?.ids.pid_start))).toBe('ours');
    expect(status?.healthy).toBe(true);
  });

  it('refuses a port another process holds before stopping the running version', async () => {
    // Prepare
    const before = await recorded();
    const busy = await freePort();
    const foreign = await listenOn(busy);
    await write('Moved.', (s) => s.replace(`port ${port}`, `port ${busy}`));
    // Act
    const error = await failureOf(applyDeploy(op)).finally(() => new Promise((resolve) => foreign.close(resolve)));
    // Assess
    expect(error.code).toBe('deploy_error');
    expect(error.message).toContain(`Port ${busy} on 127.0.0.1 is in use by a process this target did not start`);
    await stillServing(before);
  });

  it('refuses a secret that does not resolve before stopping the running version', async () => {
    // Prepare
    const before = await recorded();
    await write('Needs more.', (s) =>
      s
        .replace('ANTHROPIC_API_KEY "anthropic-key"', 'ANTHROPIC_API_KEY "anthropic-key"\n    EXTRA "extra"')
        .concat('\nsecret "extra" { env(AGENTSPEC_TEST_UNSET_SECRET) }\n'),
    );
    // Act
    const error = await failureOf(applyDeploy(op));
    // Assess
    expect(error.message).toContain('extra');
    await stillServing(before);
  });

  it('refuses an IR file it cannot write before stopping the running version', async () => {
    // Prepare: a directory where the new version's IR file goes
    const before = await recorded();
    const next = processFiles(dirname(file), 'main').next;
    await mkdir(next);
    await write('Unwritable.');
    // Act
    const error = await failureOf(applyDeploy(op)).finally(() => rm(next, { recursive: true }));
    // Assess
    expect(error.code).toBe('deploy_error');
    expect(error.message).toContain('Cannot write the IR file of "main"');
    await stillServing(before);
  });

  it('diff reports the process killed by hand as missing, then the port taken by something else', async () => {
    // Prepare
    await write('You answer briefly.');
    const before = await recorded();
    await killByHand(Number(before?.ids.pid));
    // Act
    const [killed] = await diffDeploy({ dir: dirname(file) });
    const foreign = await listenOn(port);
    const [taken] = await diffDeploy({ dir: dirname(file) }).finally(() => new Promise((resolve) => foreign.close(resolve)));
    // Assess
    expect(killed?.drift).toEqual([{ resource: 'process', expected: `pid ${before?.ids.pid} running`, actual: 'missing' }]);
    expect(taken?.drift).toContainEqual({
      resource: 'port',
      expected: `${port} free or served by the recorded process`,
      actual: `${port} served by another process`,
    });
  });
});

/** A listener on `port` that is no runtime of ours. */
async function listenOn(port: number): Promise<Server> {
  const server = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return server;
}
