/**
 * The run routes' answers as the client returns them (`GET /v1/runs/{id}`,
 * `POST /v1/runs/{id}/cancel`, a detached start).
 */
import type { PendingApproval, RunError, RunKind, RunStatus } from '../runs/types.js';

export type { PendingApproval, RunError, RunKind, RunStatus };

/** `GET /v1/runs/{id}`: where a run stands. */
export interface RunInfo {
  run_id: string;
  kind: RunKind;
  /** the agent's name (for a pipeline run, the pipeline's) */
  target: string;
  status: RunStatus;
  created_at: string;
  updated_at: string;
  session_id?: string;
  /** the invoke or pipeline result, once succeeded */
  result?: unknown;
  error?: RunError;
  /** the approvals it waits on */
  approvals?: PendingApproval[];
  /** the id of the last logged event: `runEvents(id, { after })` goes on from any id up to it */
  last_event_id: number;
}

/** A run started with `detach: true` (answered at once), or one that paused: `{ run_id, status, approvals? }`. */
export interface RunAccepted {
  run_id: string;
  status: RunStatus;
  approvals?: PendingApproval[];
}
