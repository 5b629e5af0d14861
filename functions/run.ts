/**
 * `run`: the JSON routes (invoke, sessions, pipelines, agents, health,
 * metrics, OpenAPI) behind a Function URL or an API Gateway HTTP API.
 */
import { handle, type LambdaContext, type LambdaEvent } from 'hono/aws-lambda';
import { createRuntimeEnvironment } from './lib/environment.js';
import { errorResult } from './lib/error-response.js';
import { lazy } from './lib/lazy.js';

// Started at module load: the runtime is built during INIT and reused by warm invocations.
const environment = lazy(async () => {
  const env = await createRuntimeEnvironment();
  return handle(env.app);
});

export const handler = async (event: LambdaEvent, context: LambdaContext) => {
  let serve;
  try {
    serve = await environment.get();
  } catch (error) {
    return errorResult(error);
  }
  return serve(event, context);
};
