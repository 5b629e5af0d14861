/** Session routes: create, message (a run, like invoke), read, delete. */
import type { Hono } from 'hono';
import { AgentSpecError, ErrorCode } from '../../errors.js';
import type { AgentRuntime } from '../../loop/types.js';
import type { Session } from '../../sessions/types.js';
import type { AppEnv, RouteContext } from '../context.js';
import { admitAgent } from '../guards.js';
import { readBody } from '../read-body.js';
import { CreateSessionBody, SessionMessageBody } from '../schemas.js';
import { startAgentRun, toRequest } from './agents.js';
import { answerRun } from './runs.js';

export function sessionRoutes(app: Hono<AppEnv>, ctx: RouteContext): void {
  app.post('/v1/agents/:name/sessions', async (c) => {
    const name = c.req.param('name');
    const runtime = admitAgent(ctx, name);
    const body = await readBody(c, CreateSessionBody, ctx.bodyLimitBytes);
    const session = await runtime.sessions.create(name, body.ttl_seconds === undefined ? {} : { ttlSeconds: body.ttl_seconds });
    return c.json({ session_id: session.id, agent: session.agent, created_at: session.created_at }, 201);
  });

  app.post('/v1/agents/:name/sessions/:id', async (c) => {
    const name = c.req.param('name');
    const id = c.req.param('id');
    const runtime = admitAgent(ctx, name);
    const body = await readBody(c, SessionMessageBody, ctx.bodyLimitBytes);
    await requireSession(runtime, name, id);
    const driven = await startAgentRun(c, ctx, runtime, { kind: 'session', target: name, session_id: id }, toRequest({ ...body, session_id: id }), body.detach);
    return answerRun(c, driven, body.detach);
  });

  app.get('/v1/agents/:name/sessions/:id', async (c) => {
    const name = c.req.param('name');
    const runtime = admitAgent(ctx, name);
    const session = await requireSession(runtime, name, c.req.param('id'));
    return c.json({ session_id: session.id, agent: session.agent, messages: session.messages });
  });

  app.delete('/v1/agents/:name/sessions/:id', async (c) => {
    const name = c.req.param('name');
    const id = c.req.param('id');
    const runtime = admitAgent(ctx, name);
    if (!(await runtime.sessions.delete(name, id))) throw sessionNotFound(name, id);
    return c.body(null, 204);
  });
}

async function requireSession(runtime: AgentRuntime, agent: string, id: string): Promise<Session> {
  const session = await runtime.sessions.get(agent, id);
  if (!session) throw sessionNotFound(agent, id);
  return session;
}

function sessionNotFound(agent: string, id: string): AgentSpecError {
  return new AgentSpecError(ErrorCode.NotFound, `No session "${id}" for agent "${agent}" (it may have expired).`, {
    details: { agent, session_id: id },
  });
}
