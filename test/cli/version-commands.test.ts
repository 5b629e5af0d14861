/**
 * `agentspec history`, `rollback` and `diff` in-process over a recording fake
 * deployer: what they print, and diff's exit status (0 none, 2 drift).
 */
import { rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Command } from 'commander';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { register as registerDiff } from '../../local/cli/commands/diff.js';
import { register as registerHistory } from '../../local/cli/commands/history.js';
import { register as registerRollback } from '../../local/cli/commands/rollback.js';
import { deployers } from '../../local/deploy/deployers.js';
import { applyDeploy, type PackageOperation } from '../../local/deploy/operations.js';
import type { DeployContext, Deployer, DriftItem, TargetState } from '../../local/deploy/types.js';
import { EnvSecretResolver } from '../../shared/secrets/env-resolver.js';
import { writePackage } from '../deploy/helpers/deploy-package.js';

const drift: DriftItem[] = [];
let pid = 500;
const fake: Deployer = {
  plan: (ctx) => Promise.resolve([{ resource: 'runtime', action: ctx.state?.ir_hash === ctx.ir.hash ? 'unchanged' : 'update' }]),
  apply: (ctx: DeployContext): Promise<TargetState> =>
    Promise.resolve({
      target: ctx.deploy.name,
      kind: 'process',
      ir_hash: ctx.ir.hash,
      endpoint: 'http://127.0.0.1:18081',
      ids: { pid: ++pid },
      fingerprints: {},
      applied_at: new Date().toISOString(),
    }),
  diff: () => Promise.resolve(drift),
  status: (ctx) => Promise.resolve({ target: ctx.deploy.name, healthy: true, detail: {} }),
  logs: async function* () {},
  destroy: () => Promise.resolve(),
};

const original = deployers.process;
let dir: string;
let out: string[];

/** Runs one command line; returns what it printed and the exit status it set. */
async function cli(...args: string[]): Promise<{ stdout: string; exitCode: number }> {
  const program = new Command('agentspec').exitOverride();
  for (const register of [registerHistory, registerRollback, registerDiff]) register(program);
  out = [];
  process.exitCode = 0;
  await program.parseAsync(['node', 'agentspec', ...args, '--dir', dir]);
  const exitCode = Number(process.exitCode ?? 0);
  process.exitCode = 0;
  return { stdout: out.join(''), exitCode };
}

beforeEach(async () => {
  deployers.process = () => Promise.resolve(fake);
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out.push(String(chunk));
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  const file = await writePackage({ target: 'process', port: 18081 });
  dir = dirname(file);
  const op: PackageOperation = { file, secretResolvers: { env: new EnvSecretResolver({ AGENTSPEC_TEST_ANTHROPIC_KEY: 'test-key-cli' }) } };
  await applyDeploy(op);
  await writePackage({ target: 'process', port: 18081, promptText: 'Second.' }, dir);
  await applyDeploy(op);
});

afterEach(async () => {
  vi.restoreAllMocks();
  drift.length = 0;
  await rm(dir, { recursive: true, force: true });
});

afterAll(() => {
  if (original) deployers.process = original;
});

describe('the version commands', () => {
  it('history lists the versions newest first with the current one marked and the pid running each', async () => {
    const { stdout } = await cli('history');
    const rows = stdout.split('\n').filter((l) => /\bv\d\b/.test(l));
    expect(rows[0]).toMatch(/^ {2}\* v2 .* pid 502$/);
    expect(rows[1]).toMatch(/^ {4}v1 .* pid 501$/);
  });

  it('rollback says which version it went back to, what it recorded and the endpoint; history then shows the rollback', async () => {
    const { stdout } = await cli('rollback');
    const history = await cli('history');
    expect(stdout).toMatch(
      /^Rolled "main" \(process\) back to version 1 \([0-9a-f]{12}\) in [\d.]+ s; recorded as version 3\.\nEndpoint: http:\/\/127\.0\.0\.1:18081\n$/,
    );
    expect(history.stdout).toMatch(/\* v3 .* rollback of v1/);
  });

  it('rollback --to the current version changes nothing and says so', async () => {
    const { stdout } = await cli('rollback', '--to', '2');
    expect(stdout).toContain('"main" already serves version 2; nothing changed.');
  });

  it('diff exits 0 without drift and 2 with drift, naming each difference', async () => {
    const clean = await cli('diff');
    drift.push({ resource: 'process', expected: 'pid 502', actual: 'missing' });
    const drifted = await cli('diff');
    const json = await cli('diff', '--json');
    expect(clean).toEqual({ stdout: 'main: no drift\n', exitCode: 0 });
    expect(drifted.exitCode).toBe(2);
    expect(drifted.stdout).toContain('  process: expected pid 502, found missing');
    expect(JSON.parse(json.stdout)).toEqual([{ target: 'main', kind: 'process', dir, drift }]);
    expect(json.exitCode).toBe(2);
  });
});
