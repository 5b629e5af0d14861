/**
 * plan / apply / status / logs / destroy over the state file, for the CLI
 * commands and tests. Apply and destroy hold the state lock; apply marks the
 * target `in_progress` before touching anything, so an interrupted apply is
 * seen (and recovered) by the next one. The IR last applied per target is
 * kept in `.agentspec/<target>.applied.json` so status, logs and destroy
 * need no package file.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { AgentSpecError, ErrorCode, isAgentSpecError } from '../../shared/errors.js';
import { findResource, type IRDeploy, type IRDocument } from '../../shared/ir/types.js';
import { SecretVault } from '../../shared/secrets/vault.js';
import type { SecretResolver } from '../../shared/secrets/types.js';
import type { DeployContext, Deployer, PlanItem, TargetState, TargetStatus } from './types.js';
import { loadPackage } from '../package/load-package.js';
import { deployerFor, type DeployerOptions } from './deployers.js';
import { selectDeploy } from './select-target.js';
import { readState, updateTargetState } from './state-file.js';
import { withLock } from './state-lock.js';

export interface PackageOperation {
  file: string;
  target?: string;
  env?: string;
  /** where the state lives; the package's directory by default */
  dir?: string;
  deployer?: DeployerOptions;
  /** for `env(...)` / `store(...)` secrets; the process environment and local file by default */
  secretResolvers?: { env?: SecretResolver; store?: SecretResolver };
  progress?: (message: string) => void;
  signal?: AbortSignal;
}

export interface StateOperation {
  /** directory holding `.agentspec.state.json`; the working directory by default */
  dir?: string;
  target?: string;
  deployer?: DeployerOptions;
  progress?: (message: string) => void;
  signal?: AbortSignal;
}

export interface PlanResult {
  target: string;
  kind: IRDeploy['attributes']['target'];
  items: PlanItem[];
}

export interface ApplyResult extends PlanResult {
  changed: boolean;
  state: TargetState;
}

interface Prepared {
  dir: string;
  ir: IRDocument;
  deploy: IRDeploy;
  deployer: Deployer;
  ctx: DeployContext;
}

async function prepare(op: PackageOperation): Promise<Prepared> {
  const { ir } = await loadPackage(op.file, op.env === undefined ? {} : { env: op.env });
  const dir = resolve(op.dir ?? dirname(op.file));
  const deploy = selectDeploy(ir, op.target);
  const state = (await readState(dir)).targets[deploy.name];
  const deployer = await deployerFor(deploy.attributes.target, op.deployer);
  const vault = new SecretVault(ir, op.secretResolvers ?? {});
  const ctx: DeployContext = {
    ir,
    deploy,
    ...(state ? { state } : {}),
    secret: (name) => vault.get(name),
    progress: op.progress ?? (() => undefined),
    ...(op.signal ? { signal: op.signal } : {}),
    workdir: dir,
  };
  return { dir, ir, deploy, deployer, ctx };
}

/** What apply would do, per resource. */
export async function planDeploy(op: PackageOperation): Promise<PlanResult> {
  const { deploy, deployer, ctx } = await prepare(op);
  return { target: deploy.name, kind: deploy.attributes.target, items: await deployer.plan(ctx) };
}

/** The Kubernetes manifests apply would send, as YAML with Secret values replaced (`apply --dry-run`). */
export async function dryRunDeploy(op: PackageOperation): Promise<string> {
  const { ir } = await loadPackage(op.file, op.env === undefined ? {} : { env: op.env });
  const deploy = selectDeploy(ir, op.target);
  if (deploy.attributes.target !== 'kubernetes') {
    throw new AgentSpecError(ErrorCode.InvalidRequest, `--dry-run prints Kubernetes manifests; "${deploy.name}" targets ${deploy.attributes.target}.`);
  }
  const { buildManifests, manifestsYaml } = await import('./kubernetes/index.js');
  const image = deploy.attributes.image ?? '<set image in the deploy block>';
  const secrets = Object.fromEntries(Object.keys(deploy.attributes.secrets).map((k) => [k, '']));
  return manifestsYaml(buildManifests({ ir, deploy, image, secrets }));
}

/** Deploys the package to the target; a no-op when nothing changed. */
export async function applyDeploy(op: PackageOperation): Promise<ApplyResult> {
  const prepared = await prepare(op);
  const { dir, deploy, deployer, ctx } = prepared;
  return withLock(dir, 'apply', async () => {
    // re-read under the lock: another apply may have finished meanwhile
    const previous = (await readState(dir)).targets[deploy.name];
    const current: DeployContext = { ...ctx, ...(previous ? { state: previous } : {}) };
    if (!previous) delete current.state;
    const items = await deployer.plan(current);
    const base = { target: deploy.name, kind: deploy.attributes.target, items };
    if (previous && !previous.in_progress && items.every((i) => i.action === 'unchanged')) {
      return { ...base, changed: false, state: previous };
    }
    await updateTargetState(dir, deploy.name, () => ({
      ...(previous ?? { target: deploy.name, kind: deploy.attributes.target, ir_hash: '', ids: {}, fingerprints: {} }),
      applied_at: new Date().toISOString(),
      in_progress: true,
    }));
    await saveApplied(dir, deploy.name, prepared.ir);
    const applied = await deployer.apply(current);
    const { in_progress: _done, ...clean } = applied;
    await updateTargetState(dir, deploy.name, () => clean);
    return { ...base, changed: true, state: clean };
  });
}

/** Health, endpoint, version and resource use of deployed targets (all, or the named one). */
export async function statusDeploy(op: StateOperation = {}): Promise<TargetStatus[]> {
  const dir = resolve(op.dir ?? '.');
  const out: TargetStatus[] = [];
  for (const target of await targetsOf(dir, op.target)) {
    const { deployer, ctx } = await fromState(dir, target, op);
    out.push(await deployer.status(ctx));
  }
  return out;
}

/** The runtime's log lines of one target. */
export async function* logsDeploy(op: StateOperation & { follow?: boolean; sinceMs?: number }): AsyncGenerator<string> {
  const dir = resolve(op.dir ?? '.');
  const [target] = await targetsOf(dir, op.target, true);
  if (!target) return;
  const { deployer, ctx } = await fromState(dir, target, op);
  yield* deployer.logs(ctx, {
    ...(op.follow ? { follow: true } : {}),
    ...(op.sinceMs !== undefined ? { sinceMs: op.sinceMs } : {}),
    ...(op.signal ? { signal: op.signal } : {}),
  });
}

/**
 * Tears down deployed targets (all, or the named one) and removes them from
 * the state; returns the targets torn down. A deployer that finds nothing of
 * its own left to tear down (the process target: the recorded process is
 * gone or not provably ours) throws with `details.forget`: that target is
 * forgotten too, and once all are done this throws `not_found` with the
 * deployers' messages, so nobody is told a runtime was destroyed that was not.
 */
export async function destroyDeploy(op: StateOperation = {}): Promise<string[]> {
  const dir = resolve(op.dir ?? '.');
  return withLock(dir, 'destroy', async () => {
    const done: string[] = [];
    const notFound: AgentSpecError[] = [];
    for (const target of await targetsOf(dir, op.target)) {
      const { deployer, ctx } = await fromState(dir, target, op);
      try {
        await deployer.destroy(ctx);
        done.push(target);
      } catch (error) {
        if (!isAgentSpecError(error) || error.details.forget !== true) throw error;
        notFound.push(error);
      }
      await updateTargetState(dir, target, () => undefined);
      await rm(appliedPath(dir, target), { force: true });
    }
    if (notFound.length > 0) {
      const destroyed = done.length > 0 ? ` Destroyed ${done.join(', ')}.` : '';
      const forgotten = notFound.map((e) => `"${String(e.details.target)}"`).join(', ');
      throw new AgentSpecError(ErrorCode.NotFound, `${notFound.map((e) => e.message).join(' ')} Removed ${forgotten} from the state.${destroyed}`, {
        details: { destroyed: done, forgotten: notFound.map((e) => e.details) },
      });
    }
    return done;
  });
}

async function targetsOf(dir: string, name: string | undefined, one = false): Promise<string[]> {
  const names = Object.keys((await readState(dir)).targets);
  if (name !== undefined) {
    if (!names.includes(name))
      throw new AgentSpecError(ErrorCode.NotFound, `Target "${name}" is not deployed from ${dir}; deployed: ${names.join(', ') || 'none'}.`);
    return [name];
  }
  if (one && names.length > 1)
    throw new AgentSpecError(ErrorCode.InvalidRequest, `Several targets are deployed (${names.join(', ')}); choose one with --target.`);
  return names;
}

async function fromState(dir: string, target: string, op: StateOperation): Promise<{ deployer: Deployer; ctx: DeployContext }> {
  const state = (await readState(dir)).targets[target];
  if (!state) throw new AgentSpecError(ErrorCode.NotFound, `Target "${target}" is not deployed.`);
  const ir = await loadApplied(dir, target);
  const deploy = findResource(ir, 'Deploy', target);
  if (!deploy) throw new AgentSpecError(ErrorCode.DeployError, `The applied package has no deploy block "${target}".`);
  const deployer = await deployerFor(deploy.attributes.target, op.deployer);
  const ctx: DeployContext = {
    ir,
    deploy,
    state,
    secret: () => Promise.reject(new AgentSpecError(ErrorCode.ConfigError, 'Secrets are only resolved by apply.')),
    progress: op.progress ?? (() => undefined),
    ...(op.signal ? { signal: op.signal } : {}),
    workdir: dir,
  };
  return { deployer, ctx };
}

function appliedPath(dir: string, target: string): string {
  return join(dir, '.agentspec', `${target}.applied.json`);
}

async function saveApplied(dir: string, target: string, ir: IRDocument): Promise<void> {
  await mkdir(join(dir, '.agentspec'), { recursive: true, mode: 0o700 });
  await writeFile(appliedPath(dir, target), JSON.stringify(ir), { mode: 0o600 });
}

async function loadApplied(dir: string, target: string): Promise<IRDocument> {
  try {
    return JSON.parse(await readFile(appliedPath(dir, target), 'utf8')) as IRDocument;
  } catch (error) {
    throw new AgentSpecError(ErrorCode.DeployError, `The package last applied to "${target}" is missing (${appliedPath(dir, target)}); apply it again.`, {
      cause: error,
    });
  }
}
