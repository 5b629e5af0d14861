/**
 * One interface for every deploy target (process, docker, docker-compose,
 * kubernetes, lambda). Only docker/ loads `dockerode` (compose imports its types), only the
 * kubernetes deployer imports `@kubernetes/client-node`.
 */
import type { IRDeploy, IRDocument } from '../../shared/ir/types.js';

/** What the state file keeps for one deployed target. Never a secret value. */
export interface TargetState {
  target: string;
  kind: IRDeploy['attributes']['target'];
  ir_hash: string;
  endpoint?: string;
  /** target-specific ids: pid, container id, image id, namespace, stack name … */
  ids: Record<string, string | number>;
  /** hashes of the applied pieces, used by `plan` to tell unchanged from update */
  fingerprints: Record<string, string>;
  applied_at: string;
  /** set while an apply is in flight; a later apply that finds it recovers */
  in_progress?: boolean;
}

/** A difference between the state and what really runs: a container stopped or replaced by hand, a Deployment edited with kubectl. */
export interface DriftItem {
  resource: string;
  /** what the state (or the applied package) says */
  expected: string;
  /** what is really there; `missing` when it is gone */
  actual: string;
}

/** The versions of a target kept for rollback, as an apply or destroy sees them. */
export interface RetainedVersions {
  /** states of the versions `rollback` can still go to, newest first; their artifacts (images) must stay */
  keep: TargetState[];
  /** states of versions leaving the history with this apply; their artifacts go unless a kept version or the new one uses them */
  drop: TargetState[];
}

export interface PlanItem {
  resource: string;
  action: 'create' | 'update' | 'unchanged' | 'delete';
  reason?: string;
}

export interface TargetStatus {
  target: string;
  healthy: boolean;
  endpoint?: string;
  version?: string;
  detail: Record<string, unknown>;
}

export interface DeployContext {
  ir: IRDocument;
  deploy: IRDeploy;
  /** previous state of this target, if any */
  state?: TargetState;
  /** resolves a secret by its package name */
  secret(name: string): Promise<string>;
  progress(message: string): void;
  signal?: AbortSignal;
  /** the directory of the package, for generated files */
  workdir: string;
  /**
   * Set by `rollback`: the recorded state of the version to go back to. Apply reuses its artifacts (image, digest)
   * and builds nothing; an artifact that is gone is a `deploy_error` naming it.
   */
  restore?: TargetState;
  /** the target's history around this operation; absent for a target applied for the first time */
  versions?: RetainedVersions;
}

export interface LogOptions {
  follow?: boolean;
  /** milliseconds back from now */
  sinceMs?: number;
  signal?: AbortSignal;
}

/**
 * A deploy target. `apply` either returns the new state or throws with the
 * previous version still serving (restarted if it had to be stopped) and
 * nothing new left behind; when it cannot bring the previous version back it
 * throws with `details.previous_restored: false`, and the state keeps the
 * target marked `in_progress` so the next apply recovers.
 */
export interface Deployer {
  plan(ctx: DeployContext): Promise<PlanItem[]>;
  apply(ctx: DeployContext): Promise<TargetState>;
  /** what differs between `ctx.state` and what really runs; empty when nothing does */
  diff(ctx: DeployContext): Promise<DriftItem[]>;
  status(ctx: DeployContext): Promise<TargetStatus>;
  logs(ctx: DeployContext, options: LogOptions): AsyncIterable<string>;
  destroy(ctx: DeployContext): Promise<void>;
}
