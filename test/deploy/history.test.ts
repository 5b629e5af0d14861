/**
 * History, rollback, diff and the failed-apply contract of operations.ts,
 * against a recording fake deployer (no runtime is started): what the
 * history file keeps, what each apply, rollback and destroy hands the
 * deployer, and what the state holds after a deployer fails.
 */
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AgentSpecError, ErrorCode } from '../../shared/errors.js';
import { EnvSecretResolver } from '../../shared/secrets/env-resolver.js';
import { deployers } from '../../local/deploy/deployers.js';
import { findDeployments } from '../../local/deploy/discover.js';
import { historyPath, ROLLBACK_DEPTH, versionIrPath } from '../../local/deploy/history.js';
import {
  applyDeploy,
  destroyDeploy,
  diffDeploy,
  historyDeploy,
  logsDeploy,
  rollbackDeploy,
  statusDeploy,
  type PackageOperation,
} from '../../local/deploy/operations.js';
import { readState, writeState } from '../../local/deploy/state-file.js';
import type { DeployContext, Deployer, DriftItem, TargetState } from '../../local/deploy/types.js';
import { failureOf } from '../helpers/rejection.js';
import { writePackage } from './helpers/deploy-package.js';

/** A deployer that records each context it is given and does what the test sets. */
class FakeDeployer implements Deployer {
  applied: DeployContext[] = [];
  destroyed: DeployContext[] = [];
  failWith: AgentSpecError | undefined;
  drift: DriftItem[] = [];
  private pid = 1000;

  plan(ctx: DeployContext) {
    return Promise.resolve([{ resource: 'runtime', action: ctx.state?.ir_hash === ctx.ir.hash ? ('unchanged' as const) : ('update' as const) }]);
  }
  apply(ctx: DeployContext): Promise<TargetState> {
    this.applied.push(ctx);
    if (this.failWith) return Promise.reject(this.failWith);
    const image = ctx.restore ? String(ctx.restore.ids.image) : `image-${ctx.ir.hash.slice(0, 8)}`;
    return Promise.resolve({
      target: ctx.deploy.name,
      kind: 'process',
      ir_hash: ctx.ir.hash,
      endpoint: 'http://127.0.0.1:1',
      ids: { pid: ++this.pid, image },
      fingerprints: { ir: ctx.ir.hash },
      applied_at: new Date().toISOString(),
    });
  }
  diff() {
    return Promise.resolve(this.drift);
  }
  status(ctx: DeployContext) {
    return Promise.resolve({ target: ctx.deploy.name, healthy: true, ...(ctx.state ? { version: ctx.state.ir_hash } : {}), detail: {} });
  }
  async *logs(ctx: DeployContext) {
    yield await Promise.resolve(`logs of ${ctx.deploy.name}`);
  }
  destroy(ctx: DeployContext) {
    this.destroyed.push(ctx);
    return Promise.resolve();
  }
}

const original = deployers.process;
let fake: FakeDeployer;
let file: string;
let dir: string;
let op: PackageOperation;
const versionOf = async (prompt: string) => {
  await writePackage({ target: 'process', port: 18080, promptText: prompt }, dir);
  return (await applyDeploy(op)).state;
};

beforeEach(async () => {
  fake = new FakeDeployer();
  deployers.process = () => Promise.resolve(fake);
  file = await writePackage({ target: 'process', port: 18080 });
  dir = dirname(file);
  op = { file, secretResolvers: { env: new EnvSecretResolver({ AGENTSPEC_TEST_ANTHROPIC_KEY: 'test-key-history' }) } };
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

afterAll(() => {
  if (original) deployers.process = original;
});

describe('the version history', () => {
  it('records each changed apply as a version with its IR, private to the user, and tells apply what is kept', async () => {
    const first = await versionOf('one');
    const second = await versionOf('two');
    await applyDeploy(op);
    const [history] = await historyDeploy({ dir });
    expect(history?.versions.map((v) => [v.version, v.ir_hash])).toEqual([
      [1, first.ir_hash],
      [2, second.ir_hash],
    ]);
    expect(history?.current).toBe(2);
    expect(fake.applied[0]?.versions).toBeUndefined();
    expect(fake.applied[1]?.versions).toEqual({ keep: [first], drop: [] });
    expect(fake.applied).toHaveLength(2);
    expect((await stat(historyPath(dir, 'main'))).mode & 0o777).toBe(0o600);
    expect((await stat(versionIrPath(dir, 'main', 2))).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(versionIrPath(dir, 'main', 1), 'utf8'))).toMatchObject({ hash: first.ir_hash });
  });

  it(`keeps the last ${ROLLBACK_DEPTH} versions, and hands apply the ones falling out with their IR files gone`, async () => {
    const states: TargetState[] = [];
    for (let n = 1; n <= ROLLBACK_DEPTH + 2; n++) states.push(await versionOf(`version ${n}`));
    const [history] = await historyDeploy({ dir });
    const last = fake.applied.at(-1)?.versions;
    expect(history?.versions.map((v) => v.version)).toEqual([3, 4, 5, 6, 7]);
    expect(last?.drop).toEqual([states[1]]);
    expect(last?.keep).toEqual([states[5], states[4], states[3], states[2]]);
    await expect(stat(versionIrPath(dir, 'main', 2))).rejects.toThrow();
    await expect(stat(versionIrPath(dir, 'main', 1))).rejects.toThrow();
    await expect(stat(versionIrPath(dir, 'main', 3))).resolves.toBeDefined();
  });

  it('makes the state of a deployment from before histories version 1 on the next apply', async () => {
    const old = await versionOf('old');
    await rm(historyPath(dir, 'main'));
    await rm(versionIrPath(dir, 'main', 1));
    const next = await versionOf('new');
    const [history] = await historyDeploy({ dir });
    expect(history?.versions.map((v) => [v.version, v.ir_hash])).toEqual([
      [1, old.ir_hash],
      [2, next.ir_hash],
    ]);
    expect(JSON.parse(await readFile(versionIrPath(dir, 'main', 1), 'utf8'))).toMatchObject({ hash: old.ir_hash });
  });

  it('refuses a corrupt history file, naming it and the bad field', async () => {
    await versionOf('one');
    await writeFile(historyPath(dir, 'main'), JSON.stringify({ version: 1, target: 'main', versions: [{ version: 0 }] }));
    const failure = await failureOf(historyDeploy({ dir }));
    expect(failure.code).toBe(ErrorCode.DeployError);
    expect(failure.message).toContain(historyPath(dir, 'main'));
    expect(failure.message).toContain('versions.0.version must be at least 1');
  });
});

describe('rollback', () => {
  it("goes back to the version before the current one from its recorded state and the old package's secrets, recorded as a new version", async () => {
    const first = await versionOf('one');
    await versionOf('two');
    const result = await rollbackDeploy({ dir, ...(op.secretResolvers ? { secretResolvers: op.secretResolvers } : {}) });
    const ctx = fake.applied.at(-1);
    const [history] = await historyDeploy({ dir });
    expect(result).toMatchObject({ changed: true, version: 3, rollback_of: 1 });
    expect(ctx?.restore).toEqual(first);
    expect(ctx?.ir.hash).toBe(first.ir_hash);
    expect(await ctx?.secret('anthropic-key')).toBe('test-key-history');
    expect(history?.versions.at(-1)).toMatchObject({ version: 3, rollback_of: 1, ir_hash: first.ir_hash });
    expect((await readState(dir)).targets.main?.ids.image).toBe(first.ids.image);
  });

  it('goes to the version given, and does nothing when it is the current one', async () => {
    const first = await versionOf('one');
    await versionOf('two');
    await versionOf('three');
    const back = await rollbackDeploy({ dir, to: 1 });
    const again = await rollbackDeploy({ dir, to: 4 });
    expect(back.state.ir_hash).toBe(first.ir_hash);
    expect(again).toMatchObject({ changed: false, version: 4 });
    expect(fake.applied).toHaveLength(4);
  });

  it('names the kept versions when asked for one that is not kept', async () => {
    await versionOf('one');
    await versionOf('two');
    const failure = await failureOf(rollbackDeploy({ dir, to: 9 }));
    expect(failure.code).toBe(ErrorCode.NotFound);
    expect(failure.message).toContain('kept versions: v1, v2');
  });

  it('says there is nothing to go back to after a single version', async () => {
    await versionOf('one');
    const failure = await failureOf(rollbackDeploy({ dir }));
    expect(failure.code).toBe(ErrorCode.NotFound);
    expect(failure.message).toContain('no earlier version');
  });
});

describe('a failed apply', () => {
  it('puts the previous record and applied package back when the previous version serves', async () => {
    const first = await versionOf('one');
    const appliedBefore = await readFile(join(dir, '.agentspec', 'main.applied.json'), 'utf8');
    fake.failWith = new AgentSpecError(ErrorCode.DeployError, 'the new version did not start', { details: { previous_restored: true } });
    await writePackage({ target: 'process', port: 18080, promptText: 'broken' }, dir);
    await expect(applyDeploy(op)).rejects.toThrow('the new version did not start');
    const [history] = await historyDeploy({ dir });
    expect((await readState(dir)).targets.main).toEqual(first);
    expect(await readFile(join(dir, '.agentspec', 'main.applied.json'), 'utf8')).toBe(appliedBefore);
    expect(history?.versions.map((v) => v.version)).toEqual([1]);
  });

  it('records the ids of a previous version the deployer had to restart', async () => {
    const first = await versionOf('one');
    const restarted = { ...first, ids: { ...first.ids, pid: 4242 } };
    fake.failWith = new AgentSpecError(ErrorCode.DeployError, 'failed', { details: { previous_restored: true, restored_state: restarted } });
    await writePackage({ target: 'process', port: 18080, promptText: 'broken' }, dir);
    await expect(applyDeploy(op)).rejects.toThrow('failed');
    expect((await readState(dir)).targets.main?.ids.pid).toBe(4242);
  });

  it('leaves no target behind when it was the first apply', async () => {
    fake.failWith = new AgentSpecError(ErrorCode.DeployError, 'did not start');
    await expect(applyDeploy(op)).rejects.toThrow('did not start');
    expect((await readState(dir)).targets).toEqual({});
    await expect(stat(join(dir, '.agentspec', 'main.applied.json'))).rejects.toThrow();
    expect(await statusDeploy({ dir })).toEqual([]);
  });

  it('leaves the target in progress when the previous version could not be brought back, and the next apply recovers', async () => {
    await versionOf('one');
    fake.failWith = new AgentSpecError(ErrorCode.DeployError, 'both down', { details: { previous_restored: false } });
    await writePackage({ target: 'process', port: 18080, promptText: 'broken' }, dir);
    await expect(applyDeploy(op)).rejects.toThrow('both down');
    const stuck = (await readState(dir)).targets.main;
    fake.failWith = undefined;
    const recovered = await applyDeploy(op);
    expect(stuck?.in_progress).toBe(true);
    expect(recovered.changed).toBe(true);
    expect((await readState(dir)).targets.main?.in_progress).toBeUndefined();
  });
});

describe('diff', () => {
  it("returns the deployer's drift, and a missing applied package as drift of its own", async () => {
    const state = await versionOf('one');
    fake.drift = [{ resource: 'process', expected: `pid ${String(state.ids.pid)}`, actual: 'missing' }];
    await rm(join(dir, '.agentspec', 'main.applied.json'));
    const [result] = await diffDeploy({ dir });
    expect(result?.drift).toEqual([
      { resource: '.agentspec/main.applied.json', expected: `the applied package (${state.ir_hash.slice(0, 12)})`, actual: 'missing' },
      { resource: 'process', expected: `pid ${String(state.ids.pid)}`, actual: 'missing' },
    ]);
  });

  it('is empty when nothing differs', async () => {
    await versionOf('one');
    expect(await diffDeploy({ dir })).toEqual([{ target: 'main', kind: 'process', dir, drift: [] }]);
  });
});

describe('destroy', () => {
  it('hands the deployer every kept version and removes the history with the version IRs', async () => {
    const first = await versionOf('one');
    const second = await versionOf('two');
    await destroyDeploy({ dir });
    expect(fake.destroyed[0]?.versions).toEqual({ keep: [second, first], drop: [] });
    await expect(stat(historyPath(dir, 'main'))).rejects.toThrow();
    await expect(stat(versionIrPath(dir, 'main', 1))).rejects.toThrow();
    expect(await historyDeploy({ dir })).toEqual([]);
  });
});

describe('discovery below the working directory', () => {
  const inside = async (where: string, run: () => Promise<void>) => {
    const before = process.cwd();
    process.chdir(where);
    try {
      await run();
    } finally {
      process.chdir(before);
    }
  };

  it('reports every deployment below, each with its directory, and reads the only one', async () => {
    const parent = join(dir, 'outer');
    const app = join(parent, 'app');
    await mkdir(app, { recursive: true });
    await applyDeploy({ ...op, file: await writePackage({ target: 'process', port: 18080 }, app) });
    await inside(parent, async () => {
      const statuses = await statusDeploy();
      const lines: string[] = [];
      for await (const line of logsDeploy({})) lines.push(line);
      const [history] = await historyDeploy();
      expect(statuses.map((s) => [s.target, s.dir])).toEqual([['main', app]]);
      expect(lines).toEqual(['logs of main']);
      expect(history?.dir).toBe(app);
    });
  });

  it('never destroys or rolls back a deployment it only found, and names the --dir to use', async () => {
    const parent = join(dir, 'sub');
    const nested = join(parent, 'app');
    await mkdir(nested, { recursive: true });
    await writeState(nested, { version: 1, targets: {} });
    await inside(parent, async () => {
      const destroy = await failureOf(destroyDeploy());
      const rollback = await failureOf(rollbackDeploy());
      expect(destroy.code).toBe(ErrorCode.InvalidRequest);
      expect(destroy.message).toContain('agentspec destroy --dir app');
      expect(rollback.message).toContain('agentspec rollback --dir app');
    });
  });

  it('looks at most 4 levels down and skips node_modules, dist and dot-folders', async () => {
    const root = join(dir, 'tree');
    const places = ['a', 'b/c/d/e', 'b/c/d/e/f', 'node_modules/x', 'dist/y', '.git/z', '.hidden/w'];
    for (const place of places) {
      await mkdir(join(root, place), { recursive: true });
      await writeState(join(root, place), { version: 1, targets: {} });
    }
    expect(await findDeployments(root)).toEqual([join(root, 'a'), join(root, 'b/c/d/e')]);
  });

  it('asks for --dir when several deployments are below', async () => {
    const parent = join(dir, 'many');
    for (const name of ['a', 'b/c']) {
      await mkdir(join(parent, name), { recursive: true });
      await writeState(join(parent, name), { version: 1, targets: {} });
    }
    await mkdir(join(parent, 'node_modules', 'x'), { recursive: true });
    await writeState(join(parent, 'node_modules', 'x'), { version: 1, targets: {} });
    await inside(parent, async () => {
      const failure = await failureOf(diffDeploy());
      expect(failure.message).toContain('2 deployments were found');
      expect(failure.message).toContain('agentspec diff --dir a; agentspec diff --dir b/c');
    });
  });
});
