/**
 * The events a run's log holds and which of them end a stretch of it: `run`
 * opens every log, `done` and `error` end a run, `waiting` pauses it (it is
 * logged as `{ run_id, approvals }`, never with the checkpoint).
 */
import type { RunEvent } from '../loop/types.js';
import type { PipelineResult } from '../pipeline/types.js';
import type { Checkpoint, PendingApproval } from './types.js';

/** What a run may yield: the runtime's stream events, the approval pair, and a pipeline's result. */
export type RecordedEvent =
  | RunEvent
  | { type: 'done'; data: PipelineResult }
  | { type: 'approval_required'; data: PendingApproval }
  | { type: 'waiting'; data: { approvals: PendingApproval[]; checkpoint: Checkpoint } };

/** An event as it is logged (and sent over SSE). */
export interface LogEntry {
  type: string;
  data: unknown;
}

/** Whether a logged event of this type is the last one a follower reads. */
export function endsStretch(type: string): boolean {
  return type === 'done' || type === 'error' || type === 'waiting';
}
