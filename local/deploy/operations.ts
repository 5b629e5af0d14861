/**
 * plan / apply / rollback / status / logs / history / diff / destroy over the
 * state file, for the CLI commands and tests. Apply, rollback and destroy
 * hold the state lock; apply marks the target `in_progress` before touching
 * anything, so an interrupted apply is seen (and recovered) by the next one,
 * and puts the previous record back when the deployer fails with the
 * previous version serving. The IR last applied per target is kept in
 * `.agentspec/<target>.applied.json` so status, logs and destroy need no
 * package file; each version's state and IR go to the history (history.ts).
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { AgentSpecError, ErrorCode, isAgentSpecError } from '../../shared/errors.js';
import { findResource, type IRDeploy, type IRDocument } from '../../shared/ir/types.js';
import { SecretVault } from '../../shared/secrets/vault.js';
import type { SecretResolver } from '../../shared/secrets/types.js';
import type { DeployContext, Deployer, DriftItem, PlanItem, TargetState, TargetStatus } from './types.js';
import { loadPackage } from '../package/load-package.js';
import { deployerFor, type DeployerOptions } from './deployers.js';
import { selectDeploy } from './select-target.js';
import { planChecks, type PlanCheck } from './plan-checks.js';
import { runtimeSecretVariables } from './runtime-secrets.js';
import { isTargetState, readState, updateTargetState } from './state-file.js';
import { withLock } from './state-lock.js';
import { deploymentDir, deploymentDirs } from './discover.js';
import {
  loadVersionIr,
  nextVersion,
  readHistory,
  removeHistory,
  retained,
  saveVersionIr,
  settled,
  stateFolder,
  versionIrPath,
  writeHistory,
  type NextVersion,
  type VersionRecord,
} from './history.js';

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

/** `plan`'s answer: the items, and what it found that apply would refuse (plan-checks.ts). */
export interface PlanReport extends PlanResult {
  checks: PlanCheck[];
}

export interface ApplyResult extends PlanResult {
  changed: boolean;
  state: TargetState;
  /** the version a changed apply recorded */
  version?: number;
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
export async function planDeploy(op: PackageOperation): Promise<PlanReport> {
  const { deploy, deployer, ctx } = await prepare(op);
  const items = await deployer.plan(ctx);
  const checks = await planChecks(ctx);
  return { target: deploy.name, kind: deploy.attributes.target, items, checks };
}

/** The Kubernetes manifests apply would send, as YAML with Secret values replaced (`apply --dry-run`). */
export async function dryRunDeploy(op: PackageOperation): Promise<string> {
  const { ir } = await loadPackage(op.file, op.env === undefined ? {} : { env: op.env });
  const deploy = selectDeploy(ir, op.target);
  if (deploy.attributes.target !== 'kubernetes') {
    throw new AgentSpecError(ErrorCode.InvalidRequest, `--dry-run prints Kubernetes manifests; "${deploy.name}" targets ${deploy.attributes.target}.`);
  }
  const { buildManifests, manifestsYaml, parseImageRef, repositoryName } = await import('./kubernetes/index.js');
  const written = deploy.attributes.image;
  // apply pins the Deployment to the digest its push returns; without a push there is no digest to show
  const image =
    written === undefined
      ? '<set image in the deploy block>'
      : parseImageRef(written).digest !== undefined
        ? written
        : `${repositoryName(parseImageRef(written))}@sha256:<digest of the image apply pushes>`;
  const secrets = Object.fromEntries(runtimeSecretVariables(ir, deploy).map((k) => [k, '']));
  return manifestsYaml(buildManifests({ ir, deploy, image, secrets }));
}

/** Deploys the package to the target; a no-op when nothing changed. A changed apply records a new version in the target's history. */
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
    const history = await historyBefore(dir, deploy.name, previous);
    const repair = previous !== undefined && history.at(-1)?.ir_hash === prepared.ir.hash;
    const next = nextVersion(history, repair);
    if (history.length > 0) current.versions = retained(next);
    const rollbackOf = repair ? history.at(-1)?.rollback_of : undefined;
    const state = await runRecorded(dir, deploy.name, prepared.ir, previous, next, rollbackOf, () => deployer.apply(current));
    return { ...base, changed: true, state, version: next.version };
  });
}

/**
 * The target's recorded versions before an operation records a new one. A
 * target deployed before histories existed gets its current state as version 1
 * (with the IR last applied); a history left without a state entry starts over.
 */
async function historyBefore(dir: string, target: string, previous: TargetState | undefined): Promise<VersionRecord[]> {
  const versions = await readHistory(dir, target);
  if (!previous) {
    if (versions.length > 0) await removeHistory(dir, target, versions);
    return [];
  }
  if (versions.length > 0 || previous.in_progress) return versions;
  const applied = await readFile(appliedPath(dir, target), 'utf8').catch(() => undefined);
  if (applied === undefined) return [];
  await mkdir(stateFolder(dir), { recursive: true, mode: 0o700 });
  await writeFile(versionIrPath(dir, target, 1), applied, { mode: 0o600 });
  return [{ version: 1, ir_hash: previous.ir_hash, applied_at: previous.applied_at, state: settled(previous) }];
}

/**
 * Runs a deployer's apply with the target marked `in_progress` and `ir` as the applied package, then records
 * the new state and version. When apply throws, the previous state record and applied package are put back
 * (a first-time target is removed: no ghost target; a previous version the deployer restarted is recorded with
 * the ids it hands back in `details.restored_state`), unless the deployer says it could not bring the previous
 * version back (`details.previous_restored: false`): then the target stays `in_progress` for the next apply.
 */
async function runRecorded(
  dir: string,
  target: string,
  ir: IRDocument,
  previous: TargetState | undefined,
  next: NextVersion,
  rollbackOf: number | undefined,
  apply: () => Promise<TargetState>,
): Promise<TargetState> {
  const kind = findResource(ir, 'Deploy', target)?.attributes.target ?? previous?.kind ?? 'process';
  const appliedBefore = await readFile(appliedPath(dir, target), 'utf8').catch(() => undefined);
  await updateTargetState(dir, target, () => ({
    ...(previous ?? { target, kind, ir_hash: '', ids: {}, fingerprints: {} }),
    applied_at: new Date().toISOString(),
    in_progress: true,
  }));
  await saveApplied(dir, target, ir);
  let applied: TargetState;
  try {
    applied = await apply();
  } catch (error) {
    if (!(isAgentSpecError(error) && error.details.previous_restored === false)) {
      // a deployer that had to restart the previous version hands back its state with the new ids
      const restarted = isAgentSpecError(error) ? error.details.restored_state : undefined;
      const back = isTargetState(restarted) && restarted.target === target ? settled(restarted) : previous;
      await updateTargetState(dir, target, () => back);
      if (appliedBefore === undefined) await rm(appliedPath(dir, target), { force: true });
      else await writeFile(appliedPath(dir, target), appliedBefore, { mode: 0o600 });
    }
    throw error;
  }
  const state = settled(applied);
  await saveVersionIr(dir, target, next.version, ir);
  const record: VersionRecord = {
    version: next.version,
    ir_hash: state.ir_hash,
    applied_at: state.applied_at,
    state,
    ...(rollbackOf !== undefined ? { rollback_of: rollbackOf } : {}),
  };
  await writeHistory(dir, target, [...next.kept, record]);
  await updateTargetState(dir, target, () => state);
  await Promise.all(next.dropped.filter((v) => v.version !== next.version).map((v) => rm(versionIrPath(dir, target, v.version), { force: true })));
  return state;
}

export interface RollbackOperation extends StateOperation {
  /** the version to go back to; the one before the current by default */
  to?: number;
  /** for `env(...)` / `store(...)` secrets of the old package; the process environment and local file by default */
  secretResolvers?: { env?: SecretResolver; store?: SecretResolver };
}

export interface RollbackResult {
  target: string;
  kind: IRDeploy['attributes']['target'];
  dir: string;
  /** false when `to` is already the current version */
  changed: boolean;
  /** the version now current (a new one recorded as `rollback_of`, or the unchanged current one) */
  version: number;
  rollback_of: number;
  state: TargetState;
}

/**
 * Puts a kept version back: its package, deployed from its recorded artifacts
 * (image, pushed reference) without building anything, recorded as a new
 * version with `rollback_of`. Fails like apply: the version serving before stays.
 */
export async function rollbackDeploy(op: RollbackOperation = {}): Promise<RollbackResult> {
  const dir = await deploymentDir(op.dir, 'rollback', true);
  return withLock(dir, 'rollback', async () => {
    const [target] = await targetsOf(dir, op.target, true);
    const state = target === undefined ? undefined : (await readState(dir)).targets[target];
    if (target === undefined || !state) throw new AgentSpecError(ErrorCode.NotFound, `Nothing is deployed from ${dir}; there is nothing to roll back.`);
    const versions = await historyBefore(dir, target, state);
    const current = versions.at(-1);
    const kept = versions.map((v) => `v${v.version}`).join(', ') || 'none';
    const to = op.to ?? versions.at(-2)?.version;
    if (to === undefined || !current)
      throw new AgentSpecError(ErrorCode.NotFound, `"${target}" has no earlier version to roll back to (kept: ${kept}).`, {
        details: { target, kept: versions.map((v) => v.version) },
      });
    const record = versions.find((v) => v.version === to);
    if (!record)
      throw new AgentSpecError(ErrorCode.NotFound, `"${target}" has no version ${to}; kept versions: ${kept}.`, {
        details: { target, kept: versions.map((v) => v.version) },
      });
    if (to === current.version && !state.in_progress) return { target, kind: state.kind, dir, changed: false, version: to, rollback_of: to, state };
    const ir = await loadVersionIr(dir, target, to);
    const deploy = findResource(ir, 'Deploy', target);
    if (!deploy || deploy.attributes.target !== state.kind)
      throw new AgentSpecError(ErrorCode.DeployError, `Version ${to} of "${target}" does not deploy to ${state.kind}; it cannot be rolled back to.`);
    const deployer = await deployerFor(deploy.attributes.target, op.deployer);
    const vault = new SecretVault(ir, op.secretResolvers ?? {});
    const next = nextVersion(versions);
    const ctx: DeployContext = {
      ir,
      deploy,
      state,
      secret: (name) => vault.get(name),
      progress: op.progress ?? (() => undefined),
      ...(op.signal ? { signal: op.signal } : {}),
      workdir: dir,
      restore: record.state,
      versions: retained(next),
    };
    const applied = await runRecorded(dir, target, ir, state, next, to, () => deployer.apply(ctx));
    return { target, kind: state.kind, dir, changed: true, version: next.version, rollback_of: to, state: applied };
  });
}

export interface HistoryResult {
  target: string;
  kind: IRDeploy['attributes']['target'];
  dir: string;
  /** the current version's number; undefined for a target deployed before histories were kept (it becomes version 1 on the next apply) */
  current?: number;
  /** oldest first */
  versions: VersionRecord[];
}

/** The kept versions of deployed targets (all, or the named one). */
export async function historyDeploy(op: StateOperation = {}): Promise<HistoryResult[]> {
  const dir = await deploymentDir(op.dir, 'history');
  const state = await readState(dir);
  const out: HistoryResult[] = [];
  for (const target of await targetsOf(dir, op.target)) {
    const versions = await readHistory(dir, target);
    const current = versions.at(-1)?.version;
    out.push({ target, kind: state.targets[target]?.kind ?? 'process', dir, ...(current !== undefined ? { current } : {}), versions });
  }
  return out;
}

export interface DiffResult {
  target: string;
  kind: IRDeploy['attributes']['target'];
  dir: string;
  drift: DriftItem[];
}

/** What differs between the recorded state and what really runs, per target (all, or the named one). */
export async function diffDeploy(op: StateOperation = {}): Promise<DiffResult[]> {
  const dir = await deploymentDir(op.dir, 'diff');
  const out: DiffResult[] = [];
  for (const target of await targetsOf(dir, op.target)) {
    const state = (await readState(dir)).targets[target];
    if (!state) continue;
    const drift: DriftItem[] = [];
    if (state.in_progress)
      drift.push({ resource: `target/${target}`, expected: 'a finished apply', actual: 'in_progress (an apply was interrupted; apply again to recover)' });
    const ir = await appliedForDiff(dir, target, state, drift);
    const { deployer, ctx } = await fromState(dir, target, op, ir);
    drift.push(...(await deployer.diff(ctx)));
    out.push({ target, kind: state.kind, dir, drift });
  }
  return out;
}

/** The applied IR for diff; a missing, corrupt or different file is drift, and the current version's IR stands in for it. */
async function appliedForDiff(dir: string, target: string, state: TargetState, drift: DriftItem[]): Promise<IRDocument> {
  const resource = `.agentspec/${target}.applied.json`;
  const expected = `the applied package (${state.ir_hash.slice(0, 12)})`;
  let ir: IRDocument | undefined;
  try {
    ir = await loadApplied(dir, target);
    if (ir.hash === state.ir_hash) return ir;
    drift.push({ resource, expected, actual: `another package (${String(ir.hash).slice(0, 12)})` });
  } catch {
    drift.push({ resource, expected, actual: 'missing' });
  }
  const current = (await readHistory(dir, target)).at(-1);
  if (current?.ir_hash === state.ir_hash) return loadVersionIr(dir, target, current.version);
  if (ir) return ir;
  throw new AgentSpecError(
    ErrorCode.DeployError,
    `The package last applied to "${target}" is missing (${appliedPath(dir, target)}) and no kept version matches the state; apply it again.`,
  );
}

export interface LocatedStatus extends TargetStatus {
  /** the directory holding the target's state */
  dir: string;
}

/**
 * Health, endpoint, version and resource use of deployed targets (all, or the named one). Without `dir`, a
 * working directory with no state reports every deployment found below it.
 */
export async function statusDeploy(op: StateOperation = {}): Promise<LocatedStatus[]> {
  const out: LocatedStatus[] = [];
  for (const dir of await deploymentDirs(op.dir)) {
    for (const target of await targetsOf(dir, op.target)) {
      const { deployer, ctx } = await fromState(dir, target, op);
      out.push({ ...(await deployer.status(ctx)), dir });
    }
  }
  return out;
}

/** The runtime's log lines of one target. */
export async function* logsDeploy(op: StateOperation & { follow?: boolean; sinceMs?: number }): AsyncGenerator<string> {
  const dir = await deploymentDir(op.dir, 'logs');
  if (dir !== resolve(op.dir ?? '.')) op.progress?.(`logs of the deployment in ${dir}`);
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
 * the state, with their history; returns the targets torn down. The deployer
 * sees every kept version (`versions.keep`), so `removeImages` removes the
 * images rollback could have gone back to. A deployer that finds nothing of
 * its own left to tear down (the process target: the recorded process is
 * gone or not provably ours) throws with `details.forget`: that target is
 * forgotten too, and once all are done this throws `not_found` with the
 * deployers' messages, so nobody is told a runtime was destroyed that was not.
 */
export async function destroyDeploy(op: StateOperation = {}): Promise<string[]> {
  const dir = await deploymentDir(op.dir, 'destroy', true);
  return withLock(dir, 'destroy', async () => {
    const done: string[] = [];
    const notFound: AgentSpecError[] = [];
    for (const target of await targetsOf(dir, op.target)) {
      const { deployer, ctx } = await fromState(dir, target, op);
      const versions = await readHistory(dir, target);
      ctx.versions = { keep: versions.map((v) => v.state).reverse(), drop: [] };
      try {
        await deployer.destroy(ctx);
        done.push(target);
      } catch (error) {
        if (!isAgentSpecError(error) || error.details.forget !== true) throw error;
        notFound.push(error);
      }
      await updateTargetState(dir, target, () => undefined);
      await rm(appliedPath(dir, target), { force: true });
      await removeHistory(dir, target, versions);
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

async function fromState(dir: string, target: string, op: StateOperation, applied?: IRDocument): Promise<{ deployer: Deployer; ctx: DeployContext }> {
  const state = (await readState(dir)).targets[target];
  if (!state) throw new AgentSpecError(ErrorCode.NotFound, `Target "${target}" is not deployed.`);
  const ir = applied ?? (await loadApplied(dir, target));
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
  return join(stateFolder(dir), `${target}.applied.json`);
}

async function saveApplied(dir: string, target: string, ir: IRDocument): Promise<void> {
  await mkdir(stateFolder(dir), { recursive: true, mode: 0o700 });
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
