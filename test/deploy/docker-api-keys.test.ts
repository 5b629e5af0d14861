/**
 * A Docker deployment served beyond loopback on the real engine: the first
 * apply generates an API key, shows it once and keeps it only in the
 * container's environment (not in the state file); the runtime then refuses
 * a request without it and serves one with it; a later apply that replaces
 * the container keeps the same key without showing it again. A missing
 * `api_keys` secret stops the apply before any image is built.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyDeploy, destroyDeploy, type PackageOperation } from '../../local/deploy/operations.js';
import { EnvSecretResolver } from '../../shared/secrets/env-resolver.js';
import { startFakeAnthropic, type FakeAnthropic } from '../helpers/fake-anthropic/index.js';
import { ensureBaseImage, requireDocker, TEST_BASE_IMAGE } from '../helpers/docker.js';
import { freePort, writePackage } from './helpers/deploy-package.js';

let fake: FakeAnthropic;
let dir: string;
let port: number;
const shown: string[] = [];

const operation = (file: string, resolved: Record<string, string> = {}): PackageOperation => ({
  file,
  deployer: { env: { ANTHROPIC_BASE_URL: fake.url } },
  secretResolvers: { env: new EnvSecretResolver({ AGENTSPEC_TEST_ANTHROPIC_KEY: 'sk-test-keys', ...resolved }) },
  progress: (message) => shown.push(message),
});

const write = (lines: string[], prompt = 'You answer briefly.') =>
  writePackage(
    {
      target: 'docker',
      port,
      name: 'keysdocker',
      promptText: prompt,
      deployLines: [`base_image "${TEST_BASE_IMAGE}"`, 'host "0.0.0.0"', ...lines],
      extraSource: 'secret "client-keys" { env(AGENTSPEC_CLIENT_KEYS) }\n',
    },
    dir,
  );

const agents = (key?: string) => fetch(`http://127.0.0.1:${port}/v1/agents`, key ? { headers: { authorization: `Bearer ${key}` } } : {}).then((r) => r.status);

beforeAll(async () => {
  requireDocker();
  await ensureBaseImage();
  fake = await startFakeAnthropic();
  port = await freePort();
  dir = await mkdtemp(join(tmpdir(), 'agentspec-docker-keys-'));
}, 300_000);

afterAll(async () => {
  if (dir) await destroyDeploy({ dir, deployer: { removeImages: true } }).catch(() => undefined);
  if (dir) await rm(dir, { recursive: true, force: true });
  await fake?.close();
});

describe('a docker deployment beyond loopback', () => {
  it('stops before building when the api_keys secret cannot be read', async () => {
    // Prepare
    const file = await write(['api_keys "client-keys"'], 'Keys from a secret.');
    const images = execFileSync('docker', ['image', 'ls', '-q', '--filter', 'label=dev.agentspec.package=keysdocker'], { encoding: 'utf8' });
    // Act
    const applied = applyDeploy(operation(file));
    // Assess: the secret is named in the package but the resolver does not have it
    await expect(applied).rejects.toThrow(/client-keys|AGENTSPEC_CLIENT_KEYS/);
    expect(execFileSync('docker', ['image', 'ls', '-q', '--filter', 'label=dev.agentspec.package=keysdocker'], { encoding: 'utf8' })).toBe(images);
  }, 120_000);

  it('generates a key on the first apply, shows it once, and the runtime requires it', async () => {
    // Prepare
    const file = await write([]);
    // Act
    const applied = await applyDeploy(operation(file));
    // Assess
    const lines = shown.filter((line) => line.includes('ask_'));
    expect(lines).toHaveLength(1);
    const key = /(ask_[\w-]{43})/.exec(lines[0]!)![1]!;
    expect(await agents()).toBe(401);
    expect(await agents(key)).toBe(200);
    // kept by the engine, not by the state file or anything else the apply wrote beside the package
    const container = JSON.parse(execFileSync('docker', ['container', 'inspect', String(applied.state.ids.container)], { encoding: 'utf8' })) as {
      Config: { Env: string[]; Labels: Record<string, string> };
    }[];
    expect(container[0]?.Config.Env).toContain(`AGENTSPEC_API_KEYS=${key}`);
    expect(container[0]?.Config.Labels['dev.agentspec.api-keys']).toBe('generated');
    for (const name of await readdir(dir, { recursive: true })) {
      const text = await readFile(join(dir, name), 'utf8').catch(() => '');
      expect(text, name).not.toContain(key);
    }
  }, 300_000);

  it('keeps the key when a later apply replaces the container, without showing it again', async () => {
    // Prepare
    const key = /(ask_[\w-]{43})/.exec(shown.find((line) => line.includes('ask_'))!)![1]!;
    const file = await write([], 'You answer very briefly.');
    shown.length = 0;
    // Act
    const applied = await applyDeploy(operation(file));
    // Assess: a new IR, so a new container, with the same key
    expect(applied.changed).toBe(true);
    expect(shown.filter((line) => line.includes('ask_'))).toEqual([]);
    expect(await agents(key)).toBe(200);
    expect(await agents()).toBe(401);
  }, 300_000);
});
