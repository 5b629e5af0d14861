/**
 * `run`: the JSON routes (invoke, sessions, pipelines, runs, approvals,
 * agents, health, metrics, OpenAPI) behind a Function URL or an API Gateway
 * HTTP API. Each invocation has a deadline before the function's timeout
 * (functions/lib/stream-bounds.ts) that stops the runs it drives, and the
 * handler returns only once they are recorded (Lambda freezes the
 * environment after it returns): a detached run is answered when it ends,
 * pauses or meets the deadline.
 */
import { handle, type LambdaContext, type LambdaEvent } from 'hono/aws-lambda';
import { createRuntimeEnvironment } from './lib/environment.js';
import { errorResult } from './lib/error-response.js';
import { hostContext } from './lib/host-context.js';
import { lazy } from './lib/lazy.js';
import { boundInvocation } from './lib/stream-bounds.js';

// Built during INIT (the module's load waits for it) and reused by warm invocations; a failure is retried on the next request.
const environment = lazy(async () => (await createRuntimeEnvironment()).app);
await environment.settled();
// the deadline only: AGENTSPEC_STREAM_MAX_MS and the stall bound are the stream function's
const bounds = { maxMs: undefined, stallMs: 0 };

export const handler = async (event: LambdaEvent, context: LambdaContext) => {
  let app;
  try {
    app = await environment.get();
  } catch (error) {
    return errorResult(error);
  }
  const limits = boundInvocation(context, bounds);
  const host = hostContext(limits.deadline);
  try {
    const answer = await handle({ fetch: (request: Request, env: unknown) => app.fetch(request, env, host.executionCtx) } as unknown as typeof app)(
      event,
      context,
    );
    await host.settled(limits.cut);
    return answer;
  } finally {
    limits.dispose();
  }
};
