/** Pipeline routes: list and run (a run whose log holds `run` and then `done` with the PipelineResult, or `error`). */
import type { Hono } from 'hono';
import { AgentSpecError, ErrorCode, toAgentSpecError } from '../../errors.js';
import { findResource, resourcesOf, type IRPipeline } from '../../ir/types.js';
import type { AgentRuntime } from '../../loop/types.js';
import { runPipeline } from '../../pipeline/run-pipeline.js';
import { startRun } from '../../runs/drive-run.js';
import type { RecordedEvent } from '../../runs/run-events.js';
import type { AppEnv, RouteContext } from '../context.js';
import { limit } from '../guards.js';
import { hostSignal } from '../host.js';
import { readBody } from '../read-body.js';
import { PipelineRunBody } from '../schemas.js';
import { answerRun } from './runs.js';

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
    const driven = await startRun(
      ctx,
      { kind: 'pipeline', target: name, user: c.get('user')?.name },
      (signal) => pipelineEvents(runtime, pipeline, body.trigger, signal),
      { detach: body.detach, hostSignal: hostSignal(c) },
    );
    return answerRun(c, driven, body.detach);
  });
}

/** A pipeline run as run events: `done` with its result, or one `error`. */
async function* pipelineEvents(
  runtime: AgentRuntime,
  pipeline: IRPipeline,
  trigger: Record<string, unknown>,
  signal: AbortSignal,
): AsyncGenerator<RecordedEvent> {
  try {
    yield { type: 'done', data: await runPipeline(runtime, pipeline, trigger, signal) };
  } catch (error) {
    yield { type: 'error', data: toAgentSpecError(error).toJSON() };
  }
}
