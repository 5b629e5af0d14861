/**
 * `run`: the JSON routes (invoke, sessions, pipelines, agents, health,
 * metrics, OpenAPI) behind a Function URL or an API Gateway HTTP API.
 */
import { handle, type LambdaContext, type LambdaEvent } from 'hono/aws-lambda';
import { createRuntimeEnvironment } from './lib/environment.js';
import { errorResult } from './lib/error-response.js';
import { lazy } from './lib/lazy.js';

// Built during INIT (the module's load waits for it) and reused by warm invocations; a failure is retried on the next request.
const environment = lazy(async () => {
  const env = await createRuntimeEnvironment();
  return handle(env.app);
});
await environment.settled();

export const handler = async (event: LambdaEvent, context: LambdaContext) => {
  let serve;
  try {
    serve = await environment.get();
  } catch (error) {
    return errorResult(error);
  }
  return serve(event, context);
};
