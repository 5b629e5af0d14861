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
}

export interface LogOptions {
  follow?: boolean;
  /** milliseconds back from now */
  sinceMs?: number;
  signal?: AbortSignal;
}

export interface Deployer {
  plan(ctx: DeployContext): Promise<PlanItem[]>;
  apply(ctx: DeployContext): Promise<TargetState>;
  status(ctx: DeployContext): Promise<TargetStatus>;
  logs(ctx: DeployContext, options: LogOptions): AsyncIterable<string>;
  destroy(ctx: DeployContext): Promise<void>;
}
