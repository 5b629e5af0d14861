/**
 * A Docker deployment of a package that declares a user, on the real engine:
 * the deployer passes the user's key to the container as a secret variable
 * (in the container's environment, not in the image's, not in the state file
 * or anything written beside the package), and the runtime then requires it:
 * no key is 401, the key is 200 for the user's agent, 403 for another.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyDeploy, destroyDeploy } from '../../local/deploy/operations.js';
import { EnvSecretResolver } from '../../shared/secrets/env-resolver.js';
import { startFakeAnthropic, type FakeAnthropic } from '../helpers/fake-anthropic/index.js';
import { ensureBaseImage, requireDocker, TEST_BASE_IMAGE } from '../helpers/docker.js';
import { freePort, writePackage } from './helpers/deploy-package.js';

const BOB_KEY = 'bob-test-user-key-5530';
const USERS = `
secret "bob-key" { env(AGENTSPEC_TEST_BOB_KEY) }

agent "other" {
  uses prompt "helper"
  model "claude-haiku-4-5"
}

user "bob" {
  key secret("bob-key")
  agents ["echo"]
}
`;

let fake: FakeAnthropic;
let dir: string;
let port: number;

const agentStatus = async (agent: string, key?: string) => {
  const response = await fetch(`http://127.0.0.1:${port}/v1/agents/${agent}/invoke`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key === undefined ? {} : { authorization: `Bearer ${key}` }) },
    body: JSON.stringify({ message: 'hello' }),
  });
  await response.body?.cancel();
  return response.status;
};

const inspect = <T>(kind: 'container' | 'image', id: string): T => (JSON.parse(execFileSync('docker', [kind, 'inspect', id], { encoding: 'utf8' })) as T[])[0]!;

beforeAll(async () => {
  requireDocker();
  await ensureBaseImage();
  fake = await startFakeAnthropic();
  fake.respond(() => ({ text: 'hi' }));
  port = await freePort();
  dir = await mkdtemp(join(tmpdir(), 'agentspec-docker-users-'));
}, 300_000);

afterAll(async () => {
  if (dir) await destroyDeploy({ dir, deployer: { removeImages: true } }).catch(() => undefined);
  if (dir) await rm(dir, { recursive: true, force: true });
  await fake?.close();
});

describe('a docker deployment of a package with users', () => {
  it("passes the user's key as a container secret, and the runtime requires it", async () => {
    // Prepare
    const file = await writePackage({ target: 'docker', port, name: 'usersdocker', deployLines: [`base_image "${TEST_BASE_IMAGE}"`], extraSource: USERS }, dir);
    // Act
    const applied = await applyDeploy({
      file,
      deployer: { env: { ANTHROPIC_BASE_URL: fake.url } },
      secretResolvers: { env: new EnvSecretResolver({ AGENTSPEC_TEST_ANTHROPIC_KEY: 'test-only-anthropic-key', AGENTSPEC_TEST_BOB_KEY: BOB_KEY }) },
    });
    // Assess
    expect(await agentStatus('echo')).toBe(401);
    expect(await agentStatus('echo', BOB_KEY)).toBe(200);
    expect(await agentStatus('other', BOB_KEY)).toBe(403);
    const container = inspect<{ Image: string; Config: { Env: string[] } }>('container', String(applied.state.ids.container));
    expect(container.Config.Env).toContain(`bob-key=${BOB_KEY}`);
    const image = inspect<{ Config: { Env: string[] } }>('image', container.Image);
    expect(JSON.stringify(image)).not.toContain(BOB_KEY);
    expect(execFileSync('docker', ['image', 'history', '--no-trunc', container.Image], { encoding: 'utf8' })).not.toContain(BOB_KEY);
    expect(JSON.stringify(applied.state)).not.toContain(BOB_KEY);
    for (const name of await readdir(dir, { recursive: true })) {
      const text = await readFile(join(dir, name), 'utf8').catch(() => '');
      expect(text, name).not.toContain(BOB_KEY);
    }
  }, 300_000);
});
