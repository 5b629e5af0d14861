/** Pipeline routes: list and run. */
import type { Hono } from 'hono';
import { AgentSpecError, ErrorCode } from '../../errors.js';
import { findResource, resourcesOf } from '../../ir/types.js';
import { runPipeline } from '../../pipeline/run-pipeline.js';
import type { AppEnv, RouteContext } from '../context.js';
import { limit, runSignal, timeoutError } from '../guards.js';
import { readBody } from '../read-body.js';
import { PipelineRunBody } from '../schemas.js';

export function pipelineRoutes(app: Hono<AppEnv>, ctx: RouteContext): void {
  app.get('/v1/pipelines', (c) =>
    c.json({
      pipelines: resourcesOf(ctx.runtime().ir, 'Pipeline').map((p) => ({ name: p.name, steps: p.attributes.steps.map((s) => s.name) })),
    }),
  );

  app.post('/v1/pipelines/:name/run', async (c) => {
    const runtime = ctx.runtime();
    const name = c.req.param('name');
    const pipeline = findResource(runtime.ir, 'Pipeline', name);
    if (!pipeline) {
      throw new AgentSpecError(ErrorCode.NotFound, `No pipeline named "${name}".`, {
        details: { pipeline: name, available: resourcesOf(runtime.ir, 'Pipeline').map((p) => p.name) },
      });
    }
    limit(ctx, 'pipeline', name);
    const body = await readBody(c, PipelineRunBody, ctx.bodyLimitBytes);
    const run = runSignal(ctx, c.req.raw);
    try {
      return c.json(await runPipeline(runtime, pipeline, body.trigger, run.signal));
    } catch (error) {
      if (run.timedOut()) throw timeoutError(ctx.requestTimeoutMs!);
      throw error;
    } finally {
      run.dispose();
    }
  });
}
