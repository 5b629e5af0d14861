/**
 * The one contract every deployer passes, against the real thing:
 * plan → apply → status → invoke → apply unchanged is a no-op → apply
 * changed replaces the runtime → history → diff → rollback → a broken
 * version leaves the previous one serving → drift found and repaired →
 * logs → destroy; and a first apply that fails leaves no target behind.
 * The runtime answers through the fake Anthropic server; the API key
 * reaches it only as a secret.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EnvSecretResolver } from '../../shared/secrets/env-resolver.js';
import {
  applyDeploy,
  destroyDeploy,
  diffDeploy,
  historyDeploy,
  logsDeploy,
  planDeploy,
  rollbackDeploy,
  statusDeploy,
  type PackageOperation,
} from '../../local/deploy/operations.js';
import { readState } from '../../local/deploy/state-file.js';
import type { DeployerOptions } from '../../local/deploy/deployers.js';
import type { TargetState } from '../../local/deploy/types.js';
import { startFakeAnthropic, type FakeAnthropic } from '../helpers/fake-anthropic/index.js';
import { freePort, packageSource, writePackage, type PackageOptions } from './helpers/deploy-package.js';

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
  /** the artifact a rollback must reuse rather than rebuild (docker: the image id); unchecked when absent */
  artifact?: (ids: Record<string, string | number>) => string | number | undefined;
  /**
   * deploy-block lines that make the runtime fail at start; by default an `env` block setting
   * `AGENTSPEC_SESSIONS "redis"` without a `REDIS_URL`, which the serve entry refuses
   */
  breakingDeployLines?: string[];
  /** changes what runs behind the deployer's back (kills the process, stops the container); returns the resource `diff` must report */
  tamper?: (state: TargetState) => Promise<string>;
  timeoutMs?: number;
}

/** The serve entry refuses Redis sessions without a Redis URL, so a runtime deployed with this env exits at start. */
const BREAKING_ENV = 'AGENTSPEC_SESSIONS "redis"';

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
    /** a package whose runtime fails at start: the hook's lines, or the default env that the serve entry refuses */
    const brokenSource = (options: PackageOptions): string => {
      if (setup.breakingDeployLines) return packageSource({ ...options, deployLines: [...(options.deployLines ?? []), ...setup.breakingDeployLines] });
      return packageSource(options).replace('LOG_LEVEL "info"', `LOG_LEVEL "info"\n    ${BREAKING_ENV}`);
    };
    const stateOf = async (): Promise<TargetState | undefined> => (await readState(dirname(file))).targets.main;
    const invoke = async (): Promise<{ status: number; output: string }> => {
      const response = await fetch(`http://127.0.0.1:${port}/v1/agents/echo/invoke`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ message: 'ping' }),
      });
      const body = (await response.json()) as { output?: unknown };
      return { status: response.status, output: String(body.output) };
    };
    // fails fast: the broken versions never become healthy
    const failFast = (): PackageOperation => ({ ...op, deployer: { ...op.deployer, healthTimeoutMs: 8_000 } });
    const hashes: string[] = [];
    let firstArtifact: string | number | undefined;

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
      firstArtifact = setup.artifact?.(result.state.ids);
      hashes.push(result.state.ir_hash);
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
      hashes.push(result.state.ir_hash);
      expect(setup.identity(result.state.ids)).not.toBe(firstIdentity);
      expect(status?.healthy).toBe(true);
      expect(status?.version).toBe(result.state.ir_hash);
    });

    it('lists both applied versions in the history, with their IR hashes', async () => {
      const [history] = await historyDeploy({ dir: dirname(file) });
      expect(history?.versions.map((v) => [v.version, v.ir_hash])).toEqual([
        [1, hashes[0]],
        [2, hashes[1]],
      ]);
      expect(history?.current).toBe(2);
      expect(JSON.stringify(history)).not.toContain(TEST_SECRET);
    });

    it('finds no drift while the runtime is as applied', async () => {
      const [result] = await diffDeploy({ dir: dirname(file) });
      expect(result?.drift).toEqual([]);
    });

    it('rolls back to the previous version, reusing its artifact, and records it as a new version', async () => {
      const rolled = await rollbackDeploy({
        dir: dirname(file),
        deployer: op.deployer ?? {},
        ...(op.secretResolvers ? { secretResolvers: op.secretResolvers } : {}),
      });
      const [status] = await statusDeploy({ dir: dirname(file) });
      const [history] = await historyDeploy({ dir: dirname(file) });
      const answer = await invoke();
      expect(rolled).toMatchObject({ changed: true, version: 3, rollback_of: 1 });
      expect(status?.healthy).toBe(true);
      expect(status?.version).toBe(hashes[0]);
      expect(answer.status).toBe(200);
      expect(answer.output).toMatch(/^pong \d+$/);
      if (setup.artifact) expect(setup.artifact(rolled.state.ids)).toBe(firstArtifact);
      expect(history?.versions.at(-1)).toMatchObject({ version: 3, rollback_of: 1, ir_hash: hashes[0] });
    });

    it('keeps the previous version serving and recorded when a new version fails to start', async () => {
      const before = await stateOf();
      await writeFile(file, brokenSource({ name: packageName, target: setup.target, port, promptText: 'Broken.', deployLines: setup.deployLines ?? [] }));
      const failure = await applyDeploy(failFast()).then(
        () => undefined,
        (error: unknown) => error,
      );
      const [status] = await statusDeploy({ dir: dirname(file) });
      const [history] = await historyDeploy({ dir: dirname(file) });
      const after = await stateOf();
      expect(failure).toBeInstanceOf(Error);
      // the same record, but a deployer that had to restart the previous version records its new ids
      expect(after && { ...after, ids: {}, applied_at: '' }).toEqual(before && { ...before, ids: {}, applied_at: '' });
      expect(after?.in_progress).toBeUndefined();
      expect(status?.healthy).toBe(true);
      expect(status?.version).toBe(hashes[0]);
      expect((await invoke()).status).toBe(200);
      expect(history?.current).toBe(3);
    });

    if (setup.tamper) {
      it('reports drift when the runtime is changed behind its back, and the next apply repairs it', async () => {
        const state = await stateOf();
        expect(state).toBeDefined();
        const resource = state ? await setup.tamper?.(state) : undefined;
        const [drifted] = await diffDeploy({ dir: dirname(file) });
        await writeVersion('You answer briefly.');
        const repaired = await applyDeploy(op);
        const [after] = await diffDeploy({ dir: dirname(file) });
        expect(drifted?.drift.map((d) => d.resource)).toContain(resource);
        expect(repaired.changed).toBe(true);
        expect(after?.drift).toEqual([]);
        expect((await invoke()).status).toBe(200);
      });
    }

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
      expect(await historyDeploy({ dir: dirname(file) })).toEqual([]);
      await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
    });

    it('leaves no target behind when the first apply fails', async () => {
      await writeFile(file, brokenSource({ name: packageName, target: setup.target, port, deployLines: setup.deployLines ?? [] }));
      await expect(applyDeploy(failFast())).rejects.toThrow();
      expect((await readState(dirname(file))).targets).toEqual({});
      await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
    });
  });
}
