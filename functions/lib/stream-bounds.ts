/**
 * Server-side bounds of one invocation of the stream function. Lambda tells
 * a function nothing when its client disconnects: the function runs to its
 * end or its timeout and is billed for it. So a run ends on limits of its own:
 *
 * - a deadline: the function's remaining time less a margin (2 s, or a
 *   quarter of the remaining time when that is shorter), and at most
 *   `AGENTSPEC_STREAM_MAX_MS`. The run is aborted with `timeout`, so it ends
 *   with an `error` event while the function can still send it, and its
 *   record says `failed` / `timeout`; a body still open half the margin later
 *   is cut. The run function's invocations have the same deadline (without
 *   `AGENTSPEC_STREAM_MAX_MS`), so no run outlives the invocation driving it.
 * - a write that does not drain within `AGENTSPEC_STREAM_STALL_MS` (default
 *   10 s) ends the run (stream-response.ts).
 *
 * The token budget is the agent's `token_budget`, which the runtime enforces.
 */
import type { Context } from 'aws-lambda';
import { AgentSpecError, ErrorCode } from '../../shared/errors.js';

export interface StreamBounds {
  /** the longest an invocation may stream, whatever time the function has left */
  maxMs: number | undefined;
  /** how long one write may wait for the response stream to drain */
  stallMs: number;
}

const MARGIN_MS = 2_000;
const DEFAULT_STALL_MS = 10_000;

/** The bounds the function is configured with; a value that is not a positive integer stops INIT. */
export function streamBoundsFromEnv(env: NodeJS.ProcessEnv = process.env): StreamBounds {
  return { maxMs: milliseconds(env, 'AGENTSPEC_STREAM_MAX_MS'), stallMs: milliseconds(env, 'AGENTSPEC_STREAM_STALL_MS') ?? DEFAULT_STALL_MS };
}

export interface InvocationBounds {
  /** the run's signal: aborted at the deadline with a `timeout` error, or by the response stream failing */
  readonly run: AbortController;
  /** aborted at the deadline only (with the same `timeout` error): it stops every run the invocation drives, detached ones too */
  readonly deadline: AbortSignal;
  /** aborted when the body has to be cut: the run outlived its deadline by half the margin */
  readonly cut: AbortSignal;
  dispose(): void;
}

/** Starts the deadline of one invocation. */
export function boundInvocation(context: Pick<Context, 'getRemainingTimeInMillis'>, bounds: StreamBounds): InvocationBounds {
  const remaining = context.getRemainingTimeInMillis();
  const margin = Math.min(MARGIN_MS, remaining / 4);
  const deadlineMs = Math.max(0, Math.floor(Math.min(remaining - margin, bounds.maxMs ?? Infinity)));
  const run = new AbortController();
  const deadline = new AbortController();
  const cut = new AbortController();
  const soft = setTimeout(() => {
    const reason = new AgentSpecError(ErrorCode.Timeout, `The invocation reached its deadline (${deadlineMs} ms), set before the function's own timeout.`, {
      details: { deadline_ms: deadlineMs },
    });
    deadline.abort(reason);
    run.abort(reason);
  }, deadlineMs);
  const hard = setTimeout(() => cut.abort(), deadlineMs + margin / 2);
  return {
    run,
    deadline: deadline.signal,
    cut: cut.signal,
    dispose() {
      clearTimeout(soft);
      clearTimeout(hard);
    },
  };
}

function milliseconds(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const text = env[name];
  if (text === undefined || text === '') return undefined;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 1)
    throw new AgentSpecError(ErrorCode.ConfigError, `${name} must be a positive whole number of milliseconds, not "${text}".`);
  return value;
}
