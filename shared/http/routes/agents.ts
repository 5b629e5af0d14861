/** Agent routes: list, invoke (JSON) and stream (SSE). */
import type { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { AgentRuntime, InvokeRequest, RunEvent } from '../../loop/types.js';
import type { AppEnv, RouteContext } from '../context.js';
import { errorEventData } from '../errors.js';
import { admitAgent, runSignal, timeoutError } from '../guards.js';
import { readBody } from '../read-body.js';
import { InvokeBody } from '../schemas.js';

export function agentRoutes(app: Hono<AppEnv>, ctx: RouteContext): void {
  app.get('/v1/agents', (c) => c.json({ agents: ctx.runtime().agents() }));

  app.post('/v1/agents/:name/invoke', async (c) => {
    const name = c.req.param('name');
    const runtime = admitAgent(ctx, name);
    const body = await readBody(c, InvokeBody, ctx.bodyLimitBytes);
    return c.json(await invokeWithDeadline(ctx, runtime, name, c.req.raw, toRequest(body)));
  });

  app.post('/v1/agents/:name/stream', async (c) => {
    const name = c.req.param('name');
    const runtime = admitAgent(ctx, name);
    const body = await readBody(c, InvokeBody, ctx.bodyLimitBytes);
    const run = runSignal(ctx, c.req.raw);
    c.header('X-Accel-Buffering', 'no');
    return streamSSE(
      c,
      async (stream) => {
        // The client going away (the response stream is cancelled) aborts the run.
        stream.onAbort(() => run.abortFromClient());
        let id = 0;
        try {
          for await (const event of runtime.stream(name, { ...toRequest(body), signal: run.signal })) {
            if (stream.aborted) break;
            const out: RunEvent =
              event.type === 'error' && run.timedOut() ? { type: 'error', data: errorEventData(timeoutError(ctx.requestTimeoutMs!)) } : event;
            await stream.writeSSE({ event: out.type, data: JSON.stringify(out.data), id: String(++id) });
          }
        } finally {
          run.dispose();
        }
      },
      async (error, stream) => {
        // `runtime.stream` should never throw once iterated; if it does, the client still gets a terminal event.
        ctx.logger.error('stream failed', { request_id: c.get('requestId'), error });
        await stream.writeSSE({ event: 'error', data: JSON.stringify(errorEventData(error)), id: 'error' });
      },
    );
  });
}

/** The HTTP body in the runtime's request shape. */
export function toRequest(body: {
  message: string;
  variables?: InvokeRequest['variables'];
  config?: InvokeRequest['config'];
  session_id?: string;
}): InvokeRequest {
  return {
    message: body.message,
    ...(body.variables === undefined ? {} : { variables: body.variables }),
    ...(body.config === undefined ? {} : { config: body.config }),
    ...(body.session_id === undefined ? {} : { sessionId: body.session_id }),
  };
}

/** Invokes with the client's disconnect and the app's timeout wired to the run's signal. */
export async function invokeWithDeadline(ctx: RouteContext, runtime: AgentRuntime, agent: string, raw: Request, request: InvokeRequest) {
  const run = runSignal(ctx, raw);
  try {
    return await runtime.invoke(agent, { ...request, signal: run.signal });
  } catch (error) {
    if (run.timedOut()) throw timeoutError(ctx.requestTimeoutMs!);
    throw error;
  } finally {
    run.dispose();
  }
}
