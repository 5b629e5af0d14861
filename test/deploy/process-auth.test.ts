/**
 * The process target served beyond loopback (0.0.0.0, reached through
 * 127.0.0.1) with real runtime processes: keys from the `api_keys` secret,
 * the explicit `auth "none"`, and a key generated on the first apply, shown
 * once, kept only in the process's environment and reused by the next apply.
 */
import { readdir, readFile, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EnvSecretResolver } from '../../shared/secrets/env-resolver.js';
import { applyDeploy, destroyDeploy, type PackageOperation } from '../../local/deploy/operations.js';
import { freePort, writePackage } from './helpers/deploy-package.js';

const SECRETS = { AGENTSPEC_TEST_ANTHROPIC_KEY: 'test-only-anthropic-key', AGENTSPEC_TEST_KEYS: 'first-test-key,second-test-key' };
const dirs: string[] = [];

/** A package served on 0.0.0.0 with these deploy lines, applied once; its port, operation and progress lines. */
async function deployed(lines: string[], extraSource = '') {
  const port = await freePort();
  const file = await writePackage({ name: 'authtest', target: 'process', port, deployLines: ['host "0.0.0.0"', ...lines], extraSource });
  dirs.push(dirname(file));
  const progress: string[] = [];
  const op: PackageOperation = {
    file,
    progress: (m) => progress.push(m),
    secretResolvers: { env: new EnvSecretResolver(SECRETS) },
  };
  const result = await applyDeploy(op);
  return { port, file, op, progress, pid: Number(result.state.ids.pid) };
}

async function agentsStatus(port: number, key?: string): Promise<number> {
  const response = await fetch(`http://127.0.0.1:${port}/v1/agents`, key === undefined ? {} : { headers: { 'x-api-key': key } });
  await response.body?.cancel();
  return response.status;
}

/** The text of every file below `dir`. */
async function everyFile(dir: string): Promise<string> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const texts = await Promise.all(entries.filter((e) => e.isFile()).map((e) => readFile(join(e.parentPath, e.name), 'utf8')));
  return texts.join('\n');
}

afterAll(async () => {
  for (const dir of dirs) {
    await destroyDeploy({ dir }).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  }
});

describe('process target: API keys beyond loopback', { timeout: 120_000 }, () => {
  it('serves with the keys of the api_keys secret: refuses a request without one, answers with one', async () => {
    // Prepare & Act
    const { port, pid } = await deployed(['api_keys "keys"'], 'secret "keys" { env(AGENTSPEC_TEST_KEYS) }\n');
    // Assess
    expect(await agentsStatus(port)).toBe(401);
    expect(await agentsStatus(port, 'second-test-key')).toBe(200);
    expect(await readFile(`/proc/${pid}/cmdline`, 'utf8')).not.toContain('second-test-key');
  });

  it('serves openly with auth "none", and says so', async () => {
    // Prepare & Act
    const { port, progress } = await deployed(['auth "none"']);
    // Assess
    expect(await agentsStatus(port)).toBe(200);
    expect(progress.join('\n')).toContain('without authentication (auth "none")');
  });

  it('generates a key on the first apply, shows it once, keeps it out of every file and reuses it on the next apply', async () => {
    // Prepare
    const first = await deployed([]);
    const key = /API key of deploy "main" \(generated.*\): (\S+)$/.exec(first.progress.join('\n'))?.[1] ?? '';
    await writePackage({ name: 'authtest', target: 'process', port: first.port, promptText: 'Changed.', deployLines: ['host "0.0.0.0"'] }, dirname(first.file));
    first.progress.length = 0;
    // Act
    const second = await applyDeploy(first.op);
    // Assess
    expect(key).toMatch(/^ask_/);
    expect(second.changed).toBe(true);
    expect(Number(second.state.ids.pid)).not.toBe(first.pid);
    expect(first.progress.join('\n')).not.toContain('API key');
    expect(await agentsStatus(first.port)).toBe(401);
    expect(await agentsStatus(first.port, key)).toBe(200);
    expect(await everyFile(dirname(first.file))).not.toContain(key);
  });
});
