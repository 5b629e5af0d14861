/**
 * `dev` and `serve` with a package that declares users: the users' keys are
 * required even on loopback (no "without authentication" notice), a user
 * whose key is missing stops the start naming the user and the variable, a
 * reload takes changed keys, and one that would turn keys off is refused.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startLocalServer, type LocalServer, type LocalServerOptions } from '../../local/dev/local-server.js';
import { EnvSecretResolver } from '../../shared/secrets/env-resolver.js';
import type { ModelProvider } from '../../shared/llm/types.js';
import { SILENT_LOGGER } from '../../shared/telemetry/logger.js';

const pkg = (users: string) => `package "keyed" version "1.0.0" lang "2.0"
secret "carol-key" { env(AGENTSPEC_TEST_CAROL_KEY) }
agent "alpha" {
  model "claude-haiku-4-5"
}
agent "beta" {
  model "claude-haiku-4-5"
}
${users}`;
const CAROL = 'user "carol" {\n  key secret("carol-key")\n  agents ["alpha"]\n}\n';

const answer: ModelProvider = {
  async *stream() {
    yield { type: 'text', text: 'hi' };
    yield { type: 'stop', reason: 'end_turn' };
  },
};

let dir: string;
let server: LocalServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
  await rm(dir, { recursive: true, force: true });
});

async function start(source: string, secrets: Record<string, string>, notices: string[] = []): Promise<LocalServer> {
  dir = await mkdtemp(join(tmpdir(), 'agentspec-dev-users-'));
  const file = join(dir, 'agents.ias');
  await writeFile(file, source);
  const options: LocalServerOptions = {
    file,
    watch: false,
    port: 0,
    apiKeys: false,
    logger: SILENT_LOGGER,
    out: () => {},
    err: (line) => notices.push(line),
    compose: { providerFor: () => answer, secretResolvers: { env: new EnvSecretResolver(secrets) } },
    retireAfterMs: 10,
  };
  return startLocalServer(options);
}

const invoke = async (agent: string, key?: string) => {
  const response = await fetch(`${server!.url}/v1/agents/${agent}/invoke`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key === undefined ? {} : { 'x-api-key': key }) },
    body: JSON.stringify({ message: 'hello' }),
  });
  await response.body?.cancel();
  return response.status;
};

describe('a local server of a package with users', () => {
  it("requires the user's key on loopback: 401 without, 200 for its agent, 403 for another", async () => {
    // Prepare
    const notices: string[] = [];
    // Act
    server = await start(pkg(CAROL), { AGENTSPEC_TEST_CAROL_KEY: 'carol-test-key-1' }, notices);
    // Assess
    expect(await invoke('alpha')).toBe(401);
    expect(await invoke('alpha', 'carol-test-key-1')).toBe(200);
    expect(await invoke('beta', 'carol-test-key-1')).toBe(403);
    expect(notices.join('\n')).not.toContain('without authentication');
  });

  it('does not start when a user has no key, naming the user and the variable', async () => {
    // Act
    const started = start(pkg(CAROL), {});
    // Assess
    await expect(started).rejects.toMatchObject({ code: 'config_error', message: expect.stringMatching(/User "carol" has no API key: secret "carol-key"/) });
  });

  it('takes a changed key on reload, and refuses a reload that removes the last user', async () => {
    // Prepare
    server = await start(pkg(CAROL), { AGENTSPEC_TEST_CAROL_KEY: 'carol-test-key-1' });
    await writeFile(join(dir, 'agents.ias'), pkg(CAROL.replace('agents ["alpha"]', 'agents ["beta"]')));
    // Act
    const moved = await server.reload();
    const beta = await invoke('beta', 'carol-test-key-1');
    await writeFile(join(dir, 'agents.ias'), pkg(''));
    const removed = await server.reload();
    // Assess
    expect(moved).toBe(true);
    expect(beta).toBe(200);
    expect(removed).toBe(false);
    expect(await invoke('alpha')).toBe(401);
  });
});
