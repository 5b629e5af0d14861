/**
 * A 3.0 package deployed with the process target, end to end against the
 * fake Messages API: its declared user's key opens its own agent and no
 * other (403), a request without a key is refused (401), and the key stays
 * out of every file beside the package and the process's command line; the
 * agent's `config` parameter takes the value the deploy block's `env` gives
 * it (`AGENTSPEC_<AGENT>_<PARAM>`), seen in the prompt the model got.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyDeploy, destroyDeploy } from '../../local/deploy/operations.js';
import { EnvSecretResolver } from '../../shared/secrets/env-resolver.js';
import { startFakeAnthropic, type FakeAnthropic } from '../helpers/fake-anthropic/index.js';
import { freePort } from './helpers/deploy-package.js';

const ALICE_KEY = 'alice-test-user-key-2291';
const SECRETS = { AGENTSPEC_TEST_ANTHROPIC_KEY: 'test-only-anthropic-key', AGENTSPEC_TEST_ALICE_KEY: ALICE_KEY };

const source = (port: number) => `package "usersdeploy" version "1.0.0" lang "3.0"

secret "anthropic-key" { env(AGENTSPEC_TEST_ANTHROPIC_KEY) }
secret "alice-key" { env(AGENTSPEC_TEST_ALICE_KEY) }

prompt "desk" {
  content "You help customers of {{config.company}}."
}

prompt "plain" {
  content "You answer briefly."
}

agent "desk" {
  uses prompt "desk"
  model "claude-haiku-4-5"
  config {
    company string default "Acme"
      "Company name"
  }
}

agent "other" {
  uses prompt "plain"
  model "claude-haiku-4-5"
}

user "alice" {
  key secret("alice-key")
  agents ["desk"]
}

deploy "main" target "process" {
  port ${port}
  default true
  env {
    AGENTSPEC_DESK_COMPANY "Globex"
  }
  secrets {
    ANTHROPIC_API_KEY "anthropic-key"
  }
}
`;

let fake: FakeAnthropic;
let dir: string;
let port: number;
let pid: number;

/** The text of the system prompt the model was sent. */
function systemText(system: unknown): string {
  if (typeof system === 'string') return system;
  return Array.isArray(system) ? system.map((block: { text?: unknown }) => (typeof block.text === 'string' ? block.text : '')).join('') : '';
}

const invoke = (agent: string, key?: string) =>
  fetch(`http://127.0.0.1:${port}/v1/agents/${agent}/invoke`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key === undefined ? {} : { 'x-api-key': key }) },
    body: JSON.stringify({ message: 'Who do you work for?' }),
  });

beforeAll(async () => {
  fake = await startFakeAnthropic();
  fake.respond((request) => ({ text: `prompt: ${systemText(request.body.system)}` }));
  port = await freePort();
  dir = await mkdtemp(join(tmpdir(), 'agentspec-users-deploy-'));
  const file = join(dir, 'agents.ias');
  await writeFile(file, source(port));
  const applied = await applyDeploy({
    file,
    deployer: { env: { ANTHROPIC_BASE_URL: fake.url } },
    secretResolvers: { env: new EnvSecretResolver(SECRETS) },
  });
  pid = Number(applied.state.ids.pid);
}, 120_000);

afterAll(async () => {
  if (dir) await destroyDeploy({ dir }).catch(() => undefined);
  if (dir) await rm(dir, { recursive: true, force: true });
  await fake?.close();
});

describe('process target: a package with users and config', { timeout: 60_000 }, () => {
  it("accepts the user's key for its agent, refuses it for another agent (403) and a request without a key (401)", async () => {
    // Act
    const own = await invoke('desk', ALICE_KEY);
    const other = await invoke('other', ALICE_KEY);
    const none = await invoke('desk');
    // Assess
    expect(own.status).toBe(200);
    expect(other.status).toBe(403);
    expect(await other.json()).toMatchObject({ error: 'forbidden' });
    expect(none.status).toBe(401);
    await own.body?.cancel();
    await none.body?.cancel();
  });

  it('keeps the user key out of every file beside the package and out of the command line', async () => {
    // Act
    const entries = await readdir(dir, { recursive: true, withFileTypes: true });
    const texts = await Promise.all(entries.filter((e) => e.isFile()).map((e) => readFile(join(e.parentPath, e.name), 'utf8')));
    // Assess
    expect(texts.join('\n')).not.toContain(ALICE_KEY);
    expect(await readFile(`/proc/${pid}/cmdline`, 'utf8')).not.toContain(ALICE_KEY);
  });

  it("gives the agent the config value of the deploy block's env", async () => {
    // Act
    const response = await invoke('desk', ALICE_KEY);
    // Assess
    expect(response.status).toBe(200);
    const result = (await response.json()) as { output: string };
    expect(result.output).toBe('prompt: You help customers of Globex.');
  });
});
