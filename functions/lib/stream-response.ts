/**
 * Lambda response streaming for a Hono app: status and headers through
 * `awslambda.HttpResponseStream.from`, then each chunk written the moment the
 * app produces it (every SSE event is flushed on its own). Lambda does not
 * tell a function that its client disconnected, so the run is bounded here
 * (stream-bounds.ts): its deadline aborts it through the request's signal,
 * and the response stream failing (the runtime client's POST to the Runtime
 * API broke) or not draining in time aborts it and cancels the body at once.
 * The app gets the invocation's execution context (host-context.ts): the
 * handler returns only once the runs it drives are recorded.
 */
import type { Writable } from 'node:stream';
import type { Context } from 'aws-lambda';
import type { ExecutionContext } from 'hono';
// `awslambda` (streamifyResponse, HttpResponseStream) is the Node.js runtime's global; its types come with @types/aws-lambda (imported above).
import { AgentSpecError, ErrorCode } from '../../shared/errors.js';
import { errorResponse } from './error-response.js';
import { hostContext } from './host-context.js';
import { toRequest, type HttpEventV2 } from './function-url-request.js';
import { boundInvocation, streamBoundsFromEnv, type StreamBounds } from './stream-bounds.js';
import { noteStreamFailure } from './stream-failure.js';

export interface FetchApp {
  fetch(request: Request, env?: unknown, executionCtx?: ExecutionContext): Response | Promise<Response>;
}

/** A streaming Lambda handler serving `app`. `app` is resolved per invocation (it is built once per environment). */
export function streamingHandler(app: () => Promise<FetchApp>, bounds: StreamBounds = streamBoundsFromEnv()) {
  return awslambda.streamifyResponse(async (event: HttpEventV2, responseStream: Writable, context: Context): Promise<void> => {
    // the runtime client rejects promises of its own with the stream's error: noted before anything can fail
    responseStream.on('error', noteStreamFailure);
    const limits = boundInvocation(context, bounds);
    const host = hostContext(limits.deadline);
    try {
      let response: Response;
      try {
        response = await (await app()).fetch(toRequest(event, limits.run.signal), { event, requestContext: event.requestContext, context }, host.executionCtx);
      } catch (error) {
        response = errorResponse(error);
      }
      const headers: Record<string, string> = {};
      const cookies: string[] = [];
      response.headers.forEach((value, name) => (name === 'set-cookie' ? cookies.push(value) : (headers[name] = value)));
      const out = awslambda.HttpResponseStream.from(responseStream, { statusCode: response.status, headers, cookies });
      // a GET drives no run (it follows one): its body ends at the deadline, and the client resumes with Last-Event-ID
      const end = event.requestContext.http.method === 'GET' ? AbortSignal.any([limits.deadline, limits.cut]) : limits.cut;
      await pipeBody(response.body, out, limits.run, end, bounds.stallMs);
      // the runs this invocation drives are recorded before the environment freezes (a detached one to its end or the deadline)
      await host.settled(limits.cut);
    } finally {
      limits.dispose();
    }
  });
}

async function pipeBody(body: ReadableStream<Uint8Array> | null, out: Writable, run: AbortController, cut: AbortSignal, stallMs: number): Promise<void> {
  if (!body) {
    // Lambda's runtime client sends the prelude (status, headers) with the first write only: a body-less answer writes nothing else
    out.write(new Uint8Array(0));
    out.end();
    return;
  }
  const reader = body.getReader();
  let finished = false;
  const stop = (reason: string) => {
    if (finished) return;
    if (!run.signal.aborted) run.abort(new AgentSpecError(ErrorCode.Cancelled, reason));
    reader.cancel().catch(() => undefined);
  };
  const onFailed = () => stop('The response stream failed: nothing more can reach the client.');
  const onCut = () => stop('The run did not end at its deadline; its stream was cut.');
  out.once('close', onFailed);
  out.once('error', onFailed);
  cut.addEventListener('abort', onCut);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done || out.destroyed) break;
      if (!out.write(value) && !(await drained(out, stallMs))) {
        stop(`The response stream did not drain within ${stallMs} ms.`);
        out.destroy(new Error(`the response stream did not drain within ${stallMs} ms`));
        break;
      }
    }
  } catch {
    // a cancelled body ends the loop; nothing left to send
  } finally {
    finished = true;
    out.off('close', onFailed);
    out.off('error', onFailed);
    cut.removeEventListener('abort', onCut);
    if (!out.destroyed) out.end();
  }
}

/** True once `out` drains; false when it closes first or `ms` pass. */
function drained(out: Writable, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const settle = (ok: boolean) => () => {
      clearTimeout(timer);
      out.off('drain', onDrain);
      out.off('close', onClose);
      resolve(ok);
    };
    const onDrain = settle(true);
    const onClose = settle(false);
    const timer = setTimeout(onClose, ms);
    out.once('drain', onDrain);
    out.once('close', onClose);
  });
}
