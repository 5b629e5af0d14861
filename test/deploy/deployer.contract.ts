/**
 * The one contract every deployer passes, against the real thing:
 * plan → apply → status → invoke → apply unchanged is a no-op → apply
 * changed replaces the runtime → logs → destroy. The runtime answers through
 * the fake Anthropic server; the API key reaches it only as a secret.
 */
import { readFile, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EnvSecretResolver } from '../../shared/secrets/env-resolver.js';
import { applyDeploy, destroyDeploy, logsDeploy, planDeploy, statusDeploy, type PackageOperation } from '../../local/deploy/operations.js';
import type { DeployerOptions } from '../../local/deploy/deployers.js';
import type { TargetState } from '../../local/deploy/types.js';
import { startFakeAnthropic, type FakeAnthropic } from '../helpers/fake-anthropic/index.js';
import { freePort, writePackage, type PackageOptions } from './helpers/deploy-package.js';

export const TEST_SECRET = 'sk-test-contract-secret-4f9a1c';

export interface DeployerContractSetup {
  target: PackageOptions['target'];
  /** extra deploy-block lines (docker: base_image) */
  deployLines?: string[];
  /** how the runtime reaches the fake Anthropic server (host networking: loopback works) */
  deployer?: (fakeUrl: string) => DeployerOptions;
  /** the id that must stay the same on a no-op apply and change on a changed one */
  identity: (ids: Record<string, string | number>) => string | number | undefined;
  beforeAll?: () => Promise<void>;
  /** target-specific checks on what apply produced (docker: image config and history) */
  inspect?: (state: TargetState, secret: string) => Promise<void>;
  timeoutMs?: number;
}

/** Runs the deployer contract for one target. */
export function runDeployerContract(name: string, setup: DeployerContractSetup): void {
  describe(`deployer contract: ${name}`, { timeout: setup.timeoutMs ?? 60_000 }, () => {
    let fake: FakeAnthropic;
    let file: string;
    let port: number;
    let op: PackageOperation;
    let firstIdentity: string | number | undefined;

    // One package name per target: the suites run concurrently against one Docker engine, and containers
    // are named after package and target, so equal names would make the suites stop each other's runtime.
    const packageName = `deploytest-${setup.target}`;
    const writeVersion = async (promptText: string) => {
      await writePackage({ name: packageName, target: setup.target, port, promptText, deployLines: setup.deployLines ?? [] }, dirname(file));
    };

    beforeAll(async () => {
      await setup.beforeAll?.();
      fake = await startFakeAnthropic();
      fake.respond((_request, n) => ({ text: `pong ${n}` }));
      port = await freePort();
      file = await writePackage({ name: packageName, target: setup.target, port, deployLines: setup.deployLines ?? [] });
      op = {
        file,
        deployer: { ...setup.deployer?.(fake.url) },
        secretResolvers: { env: new EnvSecretResolver({ AGENTSPEC_TEST_ANTHROPIC_KEY: TEST_SECRET }) },
      };
    }, setup.timeoutMs ?? 120_000);

    afterAll(async () => {
      await destroyDeploy({ dir: dirname(file), deployer: { ...setup.deployer?.(fake.url), removeImages: true } }).catch(() => undefined);
      await fake?.close();
      await rm(dirname(file), { recursive: true, force: true });
    });

    it('plans to create everything before the first apply', async () => {
      const plan = await planDeploy(op);
      expect(plan.target).toBe('main');
      expect(plan.items.length).toBeGreaterThan(0);
      expect(plan.items.every((i) => i.action === 'create')).toBe(true);
    });

    it('applies: the runtime becomes healthy at the recorded endpoint', async () => {
      const result = await applyDeploy(op);
      firstIdentity = setup.identity(result.state.ids);
      expect(result.changed).toBe(true);
      expect(result.state.endpoint).toBe(`http://127.0.0.1:${port}`);
      expect(firstIdentity).toBeDefined();
      const health = await fetch(`${result.state.endpoint}/healthz`);
      expect(health.status).toBe(200);
    });

    it('reports status: healthy, endpoint and the IR hash as version', async () => {
      const [status] = await statusDeploy({ dir: dirname(file) });
      const state = JSON.parse(await readFile(join(dirname(file), '.agentspec.state.json'), 'utf8')) as { targets: Record<string, { ir_hash: string }> };
      expect(status?.healthy).toBe(true);
      expect(status?.endpoint).toBe(`http://127.0.0.1:${port}`);
      expect(status?.version).toBe(state.targets.main?.ir_hash);
    });

    it('answers an invocation through the model with the key given as a secret', async () => {
      const before = fake.requests.length;
      const response = await fetch(`http://127.0.0.1:${port}/v1/agents/echo/invoke`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ message: 'ping' }),
      });
      const body = (await response.json()) as { output?: unknown };
      expect(response.status).toBe(200);
      expect(String(body.output)).toMatch(/^pong \d+$/);
      expect(fake.requests[before]?.apiKey).toBe(TEST_SECRET);
    });

    if (setup.inspect) {
      it('passes the target-specific checks on what apply produced', async () => {
        const state = JSON.parse(await readFile(join(dirname(file), '.agentspec.state.json'), 'utf8')) as { targets: Record<string, TargetState> };
        const main = state.targets.main;
        expect(main).toBeDefined();
        if (main) await setup.inspect?.(main, TEST_SECRET);
      });
    }

    it('keeps secret values out of the state file', async () => {
      const text = await readFile(join(dirname(file), '.agentspec.state.json'), 'utf8');
      expect(text).not.toContain(TEST_SECRET);
    });

    it('does nothing when applied again unchanged', async () => {
      const plan = await planDeploy(op);
      const result = await applyDeploy(op);
      expect(plan.items.every((i) => i.action === 'unchanged')).toBe(true);
      expect(result.changed).toBe(false);
      expect(setup.identity(result.state.ids)).toBe(firstIdentity);
    });

    it('replaces the runtime when the package changed, serving the new version', async () => {
      await writeVersion('You answer in one word.');
      const plan = await planDeploy(op);
      const result = await applyDeploy(op);
      const [status] = await statusDeploy({ dir: dirname(file) });
      expect(plan.items.some((i) => i.action === 'update')).toBe(true);
      expect(result.changed).toBe(true);
      expect(setup.identity(result.state.ids)).not.toBe(firstIdentity);
      expect(status?.healthy).toBe(true);
      expect(status?.version).toBe(result.state.ir_hash);
    });

    it('returns the runtime logs', async () => {
      const lines: string[] = [];
      for await (const line of logsDeploy({ dir: dirname(file) })) lines.push(line);
      expect(lines.join('\n')).toContain(`serving ${packageName}`);
      expect(lines.join('\n')).not.toContain(TEST_SECRET);
    });

    it('destroys the runtime and forgets the target', async () => {
      const destroyed = await destroyDeploy({ dir: dirname(file), deployer: { removeImages: true } });
      const state = JSON.parse(await readFile(join(dirname(file), '.agentspec.state.json'), 'utf8')) as { targets: Record<string, unknown> };
      expect(destroyed).toEqual(['main']);
      expect(state.targets).toEqual({});
      await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
    });
  });
}
