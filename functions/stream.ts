/**
 * `stream`: `POST /v1/agents/{name}/stream` through a Function URL in
 * RESPONSE_STREAM mode; each SSE event is sent as it is produced.
 */
import { createRuntimeEnvironment } from './lib/environment.js';
import { lazy } from './lib/lazy.js';
import { streamingHandler } from './lib/stream-response.js';

// Built during INIT (the module's load waits for it); a failure is retried on the next request.
const environment = lazy(createRuntimeEnvironment);
await environment.settled();

export const handler = streamingHandler(async () => (await environment.get()).app);
