/**
 * Lambda response streaming for a Hono app: status and headers through
 * `awslambda.HttpResponseStream.from`, then each chunk written the moment the
 * app produces it (every SSE event is flushed on its own). When the client
 * disconnects, the response stream closes; cancelling the body then aborts the
 * run inside the app (its SSE writer's onAbort), so a dropped stream stops the
 * invocation instead of running the model to the end.
 */
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { Context } from 'aws-lambda';
// `awslambda` (streamifyResponse, HttpResponseStream) is the Node.js runtime's global; its types come with @types/aws-lambda (imported above).
import { errorResponse } from './error-response.js';
import { toRequest, type HttpEventV2 } from './function-url-request.js';

export interface FetchApp {
  fetch(request: Request, env?: unknown): Response | Promise<Response>;
}

/** A streaming Lambda handler serving `app`. `app` is resolved per invocation (it is built once per environment). */
export function streamingHandler(app: () => Promise<FetchApp>) {
  return awslambda.streamifyResponse(async (event: HttpEventV2, responseStream: Writable, context: Context): Promise<void> => {
    const disconnected = new AbortController();
    let response: Response;
    try {
      response = await (await app()).fetch(toRequest(event, disconnected.signal), { event, requestContext: event.requestContext, context });
    } catch (error) {
      response = errorResponse(error);
    }
    const headers: Record<string, string> = {};
    const cookies: string[] = [];
    response.headers.forEach((value, name) => (name === 'set-cookie' ? cookies.push(value) : (headers[name] = value)));
    const out = awslambda.HttpResponseStream.from(responseStream, { statusCode: response.status, headers, cookies });
    await pipeBody(response.body, out, disconnected);
  });
}

async function pipeBody(body: ReadableStream<Uint8Array> | null, out: Writable, disconnected: AbortController): Promise<void> {
  if (!body) {
    // Lambda's runtime client sends the prelude (status, headers) with the first write only: a body-less answer writes nothing else
    out.write(new Uint8Array(0));
    out.end();
    return;
  }
  const reader = body.getReader();
  let finished = false;
  const onGone = () => {
    if (finished) return;
    disconnected.abort();
    reader.cancel().catch(() => undefined);
  };
  out.once('close', onGone);
  out.once('error', onGone);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done || out.destroyed) break;
      if (!out.write(value)) await Promise.race([once(out, 'drain'), once(out, 'close')]);
    }
  } catch {
    // a cancelled body ends the loop; the client is gone, nothing left to send
  } finally {
    finished = true;
    out.off('close', onGone);
    out.off('error', onGone);
    if (!out.destroyed) out.end();
  }
}
