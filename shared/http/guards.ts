/** Small checks shared by the routes: the agent exists, the limit allows, the run has a deadline. */
import { AgentSpecError, ErrorCode } from '../errors.js';
import type { AgentRuntime } from '../loop/types.js';
import { clientGoneError, timeoutError } from '../runs/drive-run.js';
import type { RouteContext } from './context.js';

/** Throws `not_found` for an agent the package does not define. */
export function requireAgent(runtime: AgentRuntime, name: string): void {
  if (!runtime.hasAgent(name)) {
    throw new AgentSpecError(ErrorCode.NotFound, `No agent named "${name}".`, {
      details: { agent: name, available: runtime.agents().map((a) => a.name) },
    });
  }
}

/**
 * What every `/v1/agents/{name}/…` route does first: take the current runtime
 * (hot reload may have swapped it), check the agent exists, count the request
 * against its rate limit.
 */
export function admitAgent(ctx: RouteContext, name: string): AgentRuntime {
  const runtime = ctx.runtime();
  requireAgent(runtime, name);
  limit(ctx, 'agent', name);
  return runtime;
}

/** Counts one request against the agent's (or pipeline's) rate limit. */
export function limit(ctx: RouteContext, kind: 'agent' | 'pipeline', name: string): void {
  ctx.limiter?.take(`${kind}:${name}`, { [kind]: name });
}

/**
 * A signal for one run: aborted when the client goes away or the app's
 * request timeout passes. `timedOut()` tells the two apart afterwards. An
 * entry point that aborts the request for a reason of its own (the Lambda
 * stream function's deadline) gives an `AgentSpecError`, which the run reports.
 */
export interface RunSignal {
  signal: AbortSignal;
  /** true when the app's request timeout (not the client) ended the run */
  timedOut(): boolean;
  /** aborts the run because the client went away */
  abortFromClient(): void;
  dispose(): void;
}

export function runSignal(ctx: RouteContext, request: Request): RunSignal {
  const controller = new AbortController();
  let expired = false;
  const onClientGone = () => controller.abort(clientGoneError(request.signal.reason));
  request.signal.addEventListener('abort', onClientGone, { once: true });
  const timer =
    ctx.requestTimeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          expired = true;
          controller.abort(timeoutError(ctx.requestTimeoutMs!));
        }, ctx.requestTimeoutMs);
  timer?.unref?.();
  return {
    signal: controller.signal,
    timedOut: () => expired,
    abortFromClient: onClientGone,
    dispose: () => {
      if (timer) clearTimeout(timer);
      request.signal.removeEventListener('abort', onClientGone);
    },
  };
}
