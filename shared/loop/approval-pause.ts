/**
 * How a run stops on approvals. `RunPaused` travels from the turn whose
 * calls wait (run-tools.ts) up through the strategy to the runtime, which
 * turns it into a checkpoint; it is never reported as a failure. The
 * runtime's `invoke` cannot hand a checkpoint back as a result, so a paused
 * `invoke` throws `RunWaitingError` (code `conflict`): its JSON says
 * `waiting` and lists the approvals, the checkpoint is a property only.
 */
import { AgentSpecError, ErrorCode } from '../errors.js';
import type { ContentBlock, Message } from '../llm/types.js';
import type { Checkpoint, PendingApproval } from '../runs/types.js';
import type { RunCheckpoint } from './checkpoint.js';

/** Thrown by the loop when a turn has calls waiting for a decision. */
export class RunPaused extends Error {
  override readonly name = 'RunPaused';
  /** the limits the run spent, set by the runtime on the way up */
  spent: RunCheckpoint['spent'] | undefined;
  constructor(
    /** the conversation, the turn's assistant message last */
    readonly messages: Message[],
    /** results of the turn's calls that ran */
    readonly results: ContentBlock[],
    readonly approvals: PendingApproval[],
  ) {
    super('The run is waiting for approval.');
  }
}

/** A paused run, from `invoke`. */
export class RunWaitingError extends AgentSpecError {
  constructor(
    readonly approvals: PendingApproval[],
    readonly checkpoint: Checkpoint,
  ) {
    super(
      ErrorCode.Conflict,
      `The run is waiting for ${approvals.length === 1 ? 'an approval' : `${approvals.length} approvals`}; use stream() to receive its checkpoint.`,
      {
        details: { status: 'waiting', approvals },
      },
    );
  }
}
