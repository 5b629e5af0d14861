/**
 * `stream`: `POST /v1/agents/{name}/stream` through a Function URL in
 * RESPONSE_STREAM mode; each SSE event is sent as it is produced, and each
 * invocation is bounded by the function itself
 * (functions/lib/stream-bounds.ts), since Lambda keeps running it after its
 * client disconnects.
 */
import { createRuntimeEnvironment } from './lib/environment.js';
import { lazy } from './lib/lazy.js';
import { streamBoundsFromEnv } from './lib/stream-bounds.js';
import { streamingHandler } from './lib/stream-response.js';

// Built during INIT (the module's load waits for it); a failure is retried on the next request.
const environment = lazy(createRuntimeEnvironment);
await environment.settled();

// read during INIT too: a bound that is not a number stops INIT instead of failing each request
export const handler = streamingHandler(async () => (await environment.get()).app, streamBoundsFromEnv());
