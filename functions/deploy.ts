/**
 * `deploy`: the hot-swap API (`POST /v1/deploy`, `GET /v1/deploy`,
 * `POST /v1/deploy/rollback`) behind an IAM-authenticated Function URL.
 */
import { handle, type LambdaContext, type LambdaEvent } from 'hono/aws-lambda';
import { createDeployApp } from './lib/deploy-app.js';
import { errorResult } from './lib/error-response.js';
import { lazy } from './lib/lazy.js';

// Built during INIT (the module's load waits for it); a failure is retried on the next request.
const app = lazy(async () => handle(createDeployApp()));
await app.settled();

export const handler = async (event: LambdaEvent, context: LambdaContext) => {
  let serve;
  try {
    serve = await app.get();
  } catch (error) {
    return errorResult(error);
  }
  return serve(event, context);
};
