/**
 * The signal of one invocation: aborted when the caller's signal aborts
 * (`cancelled`) or when the agent's timeout passes (`timeout`). The abort
 * reason is the `AgentSpecError` to report, so any step that sees the
 * signal aborted rethrows `signal.reason` and the right code reaches the
 * caller whatever the step was doing.
 */
import { AgentSpecError, ErrorCode, isAgentSpecError } from '../errors.js';

const MAX_TIMER_MS = 2 ** 31 - 1;

export interface Deadline {
  readonly signal: AbortSignal;
  /** Stops the timer and, when `abort` is set, aborts whatever still runs under this signal. */
  dispose(abort?: boolean): void;
}

/** Combines the caller's signal with a timeout, without `AbortSignal.any` (cheaper and leak-free). */
export function createDeadline(timeoutMs: number, callerSignal?: AbortSignal): Deadline {
  const controller = new AbortController();
  // setTimeout fires at once for delays past 2^31-1 ms (~24.8 days): clamp instead
  const timer = setTimeout(
    () => {
      controller.abort(new AgentSpecError(ErrorCode.Timeout, `The invocation did not finish within ${timeoutMs} ms.`, { details: { timeout_ms: timeoutMs } }));
    },
    Math.min(timeoutMs, MAX_TIMER_MS),
  );
  const onCallerAbort = () => controller.abort(cancellation(callerSignal!.reason));
  if (callerSignal?.aborted) onCallerAbort();
  else callerSignal?.addEventListener('abort', onCallerAbort, { once: true });
  return {
    signal: controller.signal,
    dispose(abort = false) {
      clearTimeout(timer);
      callerSignal?.removeEventListener('abort', onCallerAbort);
      if (abort && !controller.signal.aborted) controller.abort(cancellation(undefined));
    },
  };
}

/** The error to report for an aborted signal. */
export function abortReason(signal: AbortSignal): AgentSpecError {
  return isAgentSpecError(signal.reason) ? signal.reason : cancellation(signal.reason);
}

function cancellation(cause: unknown): AgentSpecError {
  // a parent's timeout reaches a nested invocation through its signal: keep the code
  if (isAgentSpecError(cause)) return cause;
  return new AgentSpecError(ErrorCode.Cancelled, 'The invocation was cancelled.', { cause });
}
