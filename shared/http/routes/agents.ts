/** Agent routes: list, invoke (JSON) and stream (SSE); each invocation is a run (routes/runs.ts). */
import type { Context, Hono } from 'hono';
import type { AgentRuntime, InvokeRequest } from '../../loop/types.js';
import { startRun, type DrivenRun, type NewRun } from '../../runs/drive-run.js';
import type { AppEnv, RouteContext } from '../context.js';
import { admitAgent } from '../guards.js';
import { hostSignal, keepAlive } from '../host.js';
import { readBody } from '../read-body.js';
import { InvokeBody } from '../schemas.js';
import { answerRun, streamRunEvents } from './runs.js';

export function agentRoutes(app: Hono<AppEnv>, ctx: RouteContext): void {
  app.get('/v1/agents', (c) => c.json({ agents: ctx.runtime().agents() }));

  app.post('/v1/agents/:name/invoke', async (c) => {
    const name = c.req.param('name');
    const runtime = admitAgent(ctx, name);
    const body = await readBody(c, InvokeBody, ctx.bodyLimitBytes);
    const driven = await startAgentRun(c, ctx, runtime, { kind: 'invoke', target: name, session_id: body.session_id }, toRequest(body), body.detach);
    return answerRun(c, driven, body.detach);
  });

  app.post('/v1/agents/:name/stream', async (c) => {
    const name = c.req.param('name');
    const runtime = admitAgent(ctx, name);
    const body = await readBody(c, InvokeBody, ctx.bodyLimitBytes);
    const driven = await startAgentRun(c, ctx, runtime, { kind: 'stream', target: name, session_id: body.session_id }, toRequest(body), body.detach);
    keepAlive(c, driven.done);
    // the client that started the run is pinned: it gets every event even if the log cannot be written
    return streamRunEvents(c, ctx, driven, 0, driven.id, { pin: true, onDisconnect: () => driven.disconnect() });
  });
}

/** Writes the run record and starts the agent's run behind it. */
export function startAgentRun(
  c: Context<AppEnv>,
  ctx: RouteContext,
  runtime: AgentRuntime,
  spec: NewRun,
  request: InvokeRequest,
  detach: boolean,
): Promise<DrivenRun> {
  return startRun(ctx, { ...spec, user: c.get('user')?.name }, (signal) => runtime.stream(spec.target, { ...request, signal }), {
    detach,
    hostSignal: hostSignal(c),
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
