/**
 * Durable runs: every invocation (invoke, stream, session message, pipeline)
 * is a run with an id, a status and an append-only log of its events, kept in
 * a `RunStore` so that another connection, another instance or another Lambda
 * invocation can read it, resume its stream, cancel it or decide its pending
 * approvals. Like `SessionStore`, every write of the run record is a
 * compare-and-set on `version`; only one writer appends to a run's log at a
 * time (the instance driving it).
 */
import type { ErrorCode } from '../errors.js';

export const RUN_KINDS = ['invoke', 'stream', 'session', 'pipeline'] as const;
export type RunKind = (typeof RUN_KINDS)[number];

/** `waiting`: paused on approvals; the last three are final. */
export const RUN_STATUSES = ['running', 'waiting', 'succeeded', 'failed', 'cancelled'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export const FINAL_RUN_STATUSES: readonly RunStatus[] = ['succeeded', 'failed', 'cancelled'];

/** A tool call waiting for a person's decision. */
export interface PendingApproval {
  /** the approval id of `POST /v1/runs/{run}/approvals/{approval}` */
  id: string;
  /** the model's tool-use id */
  tool_call_id: string;
  skill: string;
  input: unknown;
  /** ISO-8601; a decision after it is refused and the call counts as rejected */
  expires_at: string;
}

export interface ApprovalDecision {
  approval: string;
  decision: 'approve' | 'reject';
  /** an edited input for an approved call */
  input?: unknown;
  /** what the model is told of a rejection */
  reason?: string;
  /** ISO-8601 */
  decided_at: string;
  /** the user key's name that decided, when users are declared */
  user?: string;
}

/** What a paused run needs to go on: opaque to the stores, JSON-serialisable. */
export type Checkpoint = Record<string, unknown>;

export interface RunError {
  error: ErrorCode;
  message: string;
  details?: Record<string, unknown>;
}

export interface Run {
  id: string;
  kind: RunKind;
  /** the agent's name (for a pipeline run, the pipeline's) */
  target: string;
  status: RunStatus;
  /** ISO-8601 */
  created_at: string;
  /** ISO-8601 */
  updated_at: string;
  /** incremented by every successful write; 0 for a run not yet written */
  version: number;
  /** epoch seconds after which the run and its log are gone */
  expires_at: number;
  session_id?: string;
  /** the user key that started it, when users are declared */
  user?: string;
  /** set by `POST /v1/runs/{id}/cancel`; the instance driving the run stops it */
  cancel_requested?: boolean;
  /** the InvokeResult or PipelineResult, once succeeded */
  result?: unknown;
  /** once failed or cancelled */
  error?: RunError;
  /** while waiting */
  pending_approvals?: PendingApproval[];
  decisions?: ApprovalDecision[];
  checkpoint?: Checkpoint;
  /** seq of the last logged event: `get` reports the log's current one */
  last_seq?: number;
  /** true when not every event could be logged (a store failure or the log's bounds): the log misses events */
  log_incomplete?: boolean;
}

/** One logged event; `seq` is its SSE id (1, 2, 3, … per run). */
export interface LoggedEvent {
  seq: number;
  type: string;
  data: unknown;
}

export interface RunStore {
  /** Writes a new run (version 1). Throws `conflict` when the id exists. */
  create(run: Omit<Run, 'version'>): Promise<Run>;
  /** undefined when absent or expired; `last_seq` is the log's last seq (0 for an empty log) */
  get(id: string): Promise<Run | undefined>;
  /**
   * Writes `run` if the stored version still equals `expectedVersion`;
   * returns the stored run (version incremented). Throws `conflict` when
   * another writer got there first and `not_found` when the run is gone.
   */
  put(run: Run, expectedVersion: number): Promise<Run>;
  /**
   * Appends events in order, numbering them after the last logged one;
   * returns the last seq. Refuses (error `payload_too_large`) past the
   * store's bounds on events or bytes per run.
   */
  append(id: string, events: readonly { type: string; data: unknown }[]): Promise<number>;
  /** events with seq > `after`, in order (at most `limit`, default all) */
  read(id: string, after: number, limit?: number): Promise<LoggedEvent[]>;
  /**
   * Resolves when an event after `after` is logged or the run record
   * changes, after `timeoutMs` at the latest, or at once when `signal` is
   * aborted. Stores without notifications poll.
   */
  wait(id: string, after: number, timeoutMs: number, signal?: AbortSignal): Promise<void>;
  close(): Promise<void>;
}
