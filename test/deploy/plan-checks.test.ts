/** What plan reports that apply would refuse: secrets that do not resolve (named, never their value) and a port in use before the first apply. */
import { createServer, type Server } from 'node:net';
import { once } from 'node:events';
import { dirname } from 'node:path';
import { rm } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { AgentSpecError, ErrorCode } from '../../shared/errors.js';
import { findResource } from '../../shared/ir/types.js';
import { loadPackage } from '../../local/package/load-package.js';
import { planChecks } from '../../local/deploy/plan-checks.js';
import { planDeploy } from '../../local/deploy/operations.js';
import { EnvSecretResolver } from '../../shared/secrets/env-resolver.js';
import type { TargetState } from '../../local/deploy/types.js';
import { freePort, writePackage } from './helpers/deploy-package.js';

const VALUE = 'value-that-must-not-show-4711';
const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0)) await c();
});

async function deployOf(port: number) {
  const file = await writePackage({ target: 'process', port });
  cleanup.push(() => rm(dirname(file), { recursive: true, force: true }));
  const { ir } = await loadPackage(file);
  return { file, ir, deploy: findResource(ir, 'Deploy', 'main')! };
}

async function listenOn(port: number): Promise<Server> {
  const server = createServer().listen({ host: '127.0.0.1', port });
  await once(server, 'listening');
  cleanup.push(() => new Promise((resolve) => server.close(() => resolve())));
  return server;
}

const missing = (name: string) => Promise.reject(new AgentSpecError(ErrorCode.ConfigError, `Secret "${name}" is not set.`));
const recorded = { target: 'main', kind: 'process', ir_hash: 'x', ids: {}, fingerprints: {}, applied_at: '' } satisfies TargetState;

describe('plan checks', () => {
  it('names a secret that does not resolve, and says nothing of one that does', async () => {
    const { ir, deploy } = await deployOf(await freePort());
    const failing = await planChecks({ ir, deploy, secret: missing });
    expect(failing).toEqual([{ level: 'error', message: expect.stringContaining('secret "anthropic-key" does not resolve') }]);
    expect(await planChecks({ ir, deploy, secret: () => Promise.resolve(VALUE) })).toEqual([]);
  });

  it('reports a port in use before the first apply, and leaves a deployed target to its deployer', async () => {
    const port = await freePort();
    const { ir, deploy } = await deployOf(port);
    await listenOn(port);
    const found = await planChecks({ ir, deploy, secret: () => Promise.resolve(VALUE) });
    expect(found).toEqual([{ level: 'error', message: `port ${port} on 127.0.0.1 is in use by something this target did not start` }]);
    expect(await planChecks({ ir, deploy, state: recorded, secret: () => Promise.resolve(VALUE) })).toEqual([]);
  });

  it('name a declared user whose key does not resolve, with its variable, and never the value of one that does', async () => {
    // Prepare
    const file = await writePackage({
      target: 'process',
      port: await freePort(),
      extraSource: 'secret "alice-key" { env(AGENTSPEC_TEST_ALICE_KEY) }\nuser "alice" {\n  key secret("alice-key")\n}\n',
    });
    cleanup.push(() => rm(dirname(file), { recursive: true, force: true }));
    // Act
    const unresolved = await planDeploy({ file, secretResolvers: { env: new EnvSecretResolver({ AGENTSPEC_TEST_ANTHROPIC_KEY: VALUE }) } });
    const resolved = await planDeploy({
      file,
      secretResolvers: { env: new EnvSecretResolver({ AGENTSPEC_TEST_ANTHROPIC_KEY: VALUE, AGENTSPEC_TEST_ALICE_KEY: `${VALUE}-alice` }) },
    });
    // Assess
    expect(unresolved.checks).toEqual([{ level: 'error', message: expect.stringMatching(/User "alice" has no API key: secret "alice-key"/) }]);
    expect(resolved.checks).toEqual([]);
    expect(JSON.stringify([unresolved, resolved])).not.toContain(VALUE);
  });

  it('come with the plan of a package, never carrying a secret value', async () => {
    const { file } = await deployOf(await freePort());
    const resolved = await planDeploy({ file, secretResolvers: { env: new EnvSecretResolver({ AGENTSPEC_TEST_ANTHROPIC_KEY: VALUE }) } });
    expect(resolved.checks).toEqual([]);
    const unresolved = await planDeploy({ file, secretResolvers: { env: new EnvSecretResolver({}) } });
    expect(unresolved.items).toEqual([{ resource: 'process', action: 'create' }]);
    expect(unresolved.checks.map((c) => c.message)).toEqual([expect.stringContaining('"anthropic-key"')]);
    expect(JSON.stringify(unresolved)).not.toContain(VALUE);
  });
});
