/**
 * An invoke, session message or decision whose run paused for a person's
 * approval instead of answering (the server's `202 { run_id, status:
 * "waiting", approvals }`). Decide each approval with `approve` or `reject`;
 * the last decision resumes the run and answers with its result.
 */
import type { PendingApproval } from './run-types.js';

export class RunWaitingError extends Error {
  override readonly name = 'RunWaitingError';
  readonly code = 'waiting';

  constructor(
    readonly runId: string,
    readonly approvals: PendingApproval[],
  ) {
    super(`Run ${runId} waits for ${approvals.length} approval(s): ${approvals.map((a) => a.skill).join(', ')}.`);
  }
}
