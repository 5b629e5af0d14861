/**
 * The playground's eval routes, served only beside the playground (`agentspec
 * dev`), not by `serve`, containers or Lambda: one request runs many model
 * calls, which a development server may allow and a production API should
 * not offer. Not part of the public API contract.
 *
 * - `GET /v1/eval`: each agent's declared cases.
 * - `POST /v1/agents/{name}/eval` `{cases?, tags?, concurrency?}`: runs that
 *   agent's cases (all, or those named, or those carrying any of the tags)
 *   against the models the server runs, as SSE: `case_start` {agent, name},
 *   `case_end` (the case's result), then `done` (the report). The client going
 *   away cancels the run.
 */
import type { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { prepareSchema, type PreparedSchema } from '../../ir/json-schema-validator.js';
import type { JsonSchema } from '../../ir/types.js';
import type { AppEnv, RouteContext } from '../context.js';
import { errorEventData } from '../errors.js';
import { admitAgent, runSignal } from '../guards.js';
import { readBody } from '../read-body.js';
import type { BodySchema } from '../schemas.js';

interface EvalRequest {
  cases?: string[];
  tags?: string[];
  concurrency?: number;
}

const names = { type: 'array', items: { type: 'string', minLength: 1, maxLength: 200 }, maxItems: 500 } as const;
const schema: JsonSchema = {
  type: 'object',
  properties: { cases: names, tags: names, concurrency: { type: 'integer', minimum: 1, maximum: 16 } },
  additionalProperties: false,
};
let prepared: PreparedSchema | undefined;
const EvalBody: BodySchema<EvalRequest> = { id: 'EvalRequest', schema, prepared: () => (prepared ??= prepareSchema(schema)) };

/** How `/openapi.json` describes these routes where they are served (the dev server, beside the playground). */
export const EVAL_ROUTE_SPECS = [
  { method: 'get' as const, path: '/v1/eval', summary: "Dev server only: each agent's eval cases", responses: { 200: 'none' as const }, errors: [] },
  {
    method: 'post' as const,
    path: '/v1/agents/{name}/eval',
    summary: "Dev server only: run an agent's eval cases; Server-Sent Events case_start, case_end (a case's result), done (the report)",
    request: EvalBody,
    responses: { 200: 'none' as const },
    errors: [400, 404, 413, 429],
  },
];

export function evalRoutes(app: Hono<AppEnv>, ctx: RouteContext): void {
  app.get('/v1/eval', async (c) => {
    const { casesByAgent } = await import('../../eval/select.js');
    return c.json({ agents: [...casesByAgent(ctx.runtime().ir)].map(([agent, cases]) => ({ agent, cases })) });
  });

  app.post('/v1/agents/:name/eval', async (c) => {
    const name = c.req.param('name');
    const runtime = admitAgent(ctx, name);
    const body = await readBody(c, EvalBody, ctx.bodyLimitBytes);
    const [{ selectCases }, { runEval }] = await Promise.all([import('../../eval/select.js'), import('../../eval/runner.js')]);
    const wanted = body.cases === undefined ? undefined : new Set(body.cases);
    const targets = selectCases(runtime.ir, { agent: name, ...(body.tags ? { tags: body.tags } : {}) }).filter((t) => !wanted || wanted.has(t.case.name));
    const run = runSignal(ctx, c.req.raw);
    c.header('X-Accel-Buffering', 'no');
    return streamSSE(
      c,
      async (stream) => {
        stream.onAbort(() => run.abortFromClient());
        // events are written in order; a slow client holds the next write, not the cases
        let writing = Promise.resolve();
        const send = (event: string, data: unknown) => {
          writing = writing.then(() => (stream.aborted ? undefined : stream.writeSSE({ event, data: JSON.stringify(data) })));
        };
        try {
          const report = await runEval(targets, {
            mode: 'live',
            signal: run.signal,
            ...(body.concurrency === undefined ? {} : { concurrency: body.concurrency }),
            invoke: async (agent, input, signal) => (await runtime.invoke(agent, { message: input, signal })).output,
            onStart: (t) => send('case_start', { agent: t.agent, name: t.case.name }),
            onResult: (result) => send('case_end', result),
          });
          send('done', report);
          await writing;
        } finally {
          run.dispose();
        }
      },
      async (error, stream) => {
        ctx.logger.error('eval stream failed', { request_id: c.get('requestId'), error });
        await stream.writeSSE({ event: 'error', data: JSON.stringify(errorEventData(error)) });
      },
    );
  });
}
