/**
 * Run routes: a run's status (`GET /v1/runs/{id}`), its events as
 * Server-Sent Events replayed after `Last-Event-ID` (or `?after=`) and
 * followed live (`GET /v1/runs/{id}/events`), and cancel
 * (`POST /v1/runs/{id}/cancel`). Also the SSE writer every route that
 * streams a run uses, and the JSON answer of a run driven to its end.
 */
import type { Context, Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { AgentSpecError, ErrorCode } from '../../errors.js';
import { cancelledError } from '../../runs/recorder.js';
import type { DrivenRun } from '../../runs/drive-run.js';
import { followLog } from '../../runs/follow-log.js';
import { updateRun } from '../../runs/update-run.js';
import { FINAL_RUN_STATUSES, type LoggedEvent, type Run } from '../../runs/types.js';
import type { AppEnv, RouteContext } from '../context.js';
import { errorEventData } from '../errors.js';
import { keepAlive } from '../host.js';
import { authorizeAgent, authorizePipeline } from '../user-keys.js';

export function runRoutes(app: Hono<AppEnv>, ctx: RouteContext): void {
  app.get('/v1/runs/:id', async (c) => {
    const run = await readableRun(c, ctx, c.req.param('id'));
    return c.json(runView(run, await lastEventId(ctx, run)));
  });

  app.get('/v1/runs/:id/events', async (c) => {
    const after = resumePoint(c);
    const run = await readableRun(c, ctx, c.req.param('id'));
    const local = ctx.active.get(run.id);
    return streamRunEvents(c, ctx, local ? { id: run.id, follow: (a, s) => local.follow(a, s) } : undefined, after, run.id);
  });

  app.post('/v1/runs/:id/cancel', async (c) => {
    const run = await readableRun(c, ctx, c.req.param('id'));
    const stored = await requestCancel(ctx, run);
    return c.json(runView(stored, await lastEventId(ctx, stored)));
  });
}

/** The JSON shape of a run (`GET /v1/runs/{id}`). */
export function runView(run: Run, lastEventId: number) {
  return {
    run_id: run.id,
    kind: run.kind,
    target: run.target,
    status: run.status,
    created_at: run.created_at,
    updated_at: run.updated_at,
    ...(run.session_id === undefined ? {} : { session_id: run.session_id }),
    ...(run.status === 'succeeded' && run.result !== undefined ? { result: run.result } : {}),
    ...(run.error === undefined ? {} : { error: { error: run.error.error, message: run.error.message, details: run.error.details ?? {} } }),
    ...(run.status === 'waiting' && run.pending_approvals ? { approvals: run.pending_approvals } : {}),
    ...(run.cancel_requested && run.status === 'running' ? { cancel_requested: true } : {}),
    ...(run.log_incomplete ? { log_incomplete: true } : {}),
    last_event_id: lastEventId,
  };
}

/**
 * The HTTP answer of a JSON request whose run has ended or paused: the
 * result (200), the approvals it waits for (202), or its error.
 */
export function runAnswer(c: Context<AppEnv>, run: Run): Response {
  c.header('X-Run-Id', run.id);
  if (run.status === 'succeeded') return c.json(run.result as Record<string, unknown>);
  if (run.status === 'waiting') return c.json({ run_id: run.id, status: 'waiting', approvals: run.pending_approvals ?? [] }, 202);
  const error = run.error ?? { error: ErrorCode.InternalError, message: 'The run ended without a result.' };
  throw new AgentSpecError(error.error, error.message, { details: error.details ?? {} });
}

/**
 * Answers a JSON request (invoke, session message, pipeline run) with its
 * run: at once with 202 when detached, else when the run ends or pauses;
 * without `detach` the client's disconnect cancels the run.
 */
export async function answerRun(c: Context<AppEnv>, driven: DrivenRun, detach: boolean): Promise<Response> {
  keepAlive(c, driven.done);
  c.header('X-Run-Id', driven.id);
  if (detach) return c.json({ run_id: driven.id, status: 'running' }, 202);
  const request = c.req.raw.signal;
  const onGone = () => driven.disconnect(request.reason);
  if (request.aborted) onGone();
  else request.addEventListener('abort', onGone, { once: true });
  try {
    const run = await driven.done;
    if (driven.recorder.logIncomplete) c.header('X-Run-Log', 'incomplete');
    return runAnswer(c, run);
  } finally {
    request.removeEventListener('abort', onGone);
  }
}

/**
 * Streams a run's events after seq `after` as SSE (`id:` = seq): from the
 * local recorder when this instance drives the run, else from the store.
 * Ends after a final event or `waiting`. `onDisconnect` runs when the client
 * goes away (the run's own stream: cancel unless detached).
 */
export function streamRunEvents(
  c: Context<AppEnv>,
  ctx: RouteContext,
  driven: Pick<DrivenRun, 'id' | 'follow'> | undefined,
  after: number,
  id = driven?.id ?? '',
  options: { pin?: boolean; onDisconnect?: () => void } = {},
): Response {
  c.header('X-Run-Id', id);
  c.header('X-Accel-Buffering', 'no');
  return streamSSE(
    c,
    async (stream) => {
      const gone = new AbortController();
      stream.onAbort(() => {
        gone.abort();
        options.onDisconnect?.();
      });
      const events: AsyncIterable<LoggedEvent> = driven
        ? driven.follow(after, gone.signal, options.pin)
        : followLog(ctx.runs, id, after, gone.signal, { onIdle: () => stream.write(': keep-alive\n\n').then(() => undefined) });
      for await (const event of events) {
        if (stream.aborted) break;
        await stream.writeSSE({ event: event.type, data: JSON.stringify(event.data), id: String(event.seq) });
      }
    },
    async (error, stream) => {
      // a store failure or a log missing events: the client gets a terminal event without an id, the run is not touched
      ctx.logger.error('run events failed', { request_id: c.get('requestId'), run_id: id, error });
      await stream.writeSSE({ event: 'error', data: JSON.stringify(errorEventData(error)) });
    },
  );
}

/** The run, when it exists and the caller's key may see it (the same rule as running its agent or pipeline). */
export async function readableRun(c: Context<AppEnv>, ctx: RouteContext, id: string): Promise<Run> {
  const run = await ctx.runs.get(id);
  if (!run) throw new AgentSpecError(ErrorCode.NotFound, `No run "${id}" (it may have expired).`, { details: { run_id: id } });
  const user = c.get('user');
  if (run.kind === 'pipeline') authorizePipeline(user, ctx.runtime().ir, run.target);
  else authorizeAgent(user, run.target);
  return run;
}

/** `Last-Event-ID` (what EventSource sends on a reconnect), else `?after=`, else 0. */
function resumePoint(c: Context<AppEnv>): number {
  const raw = c.req.header('last-event-id') ?? c.req.query('after') ?? '0';
  if (!/^\d{1,15}$/.test(raw.trim())) {
    throw new AgentSpecError(ErrorCode.InvalidRequest, `"${raw.slice(0, 40)}" is not an event id: resume after a seq (a whole number ≥ 0).`, {
      details: { issues: [{ path: 'Last-Event-ID', code: 'type', message: 'must be a whole number' }] },
    });
  }
  return Number(raw.trim());
}

/** The seq of the run's last logged event: from the local recorder, else the record's `last_seq` and what was logged after it. */
export async function lastEventId(ctx: RouteContext, run: Run): Promise<number> {
  const published = ctx.active.get(run.id)?.published;
  if (published !== undefined) return published;
  // a run read from the store carries its log's last seq
  if (run.last_seq !== undefined) return run.last_seq;
  return (await ctx.runs.read(run.id, 0)).at(-1)?.seq ?? 0;
}

/**
 * Asks the run to stop. A running run gets `cancel_requested` (compare-and-set;
 * a run driven here stops at once and the answer waits for its end); a
 * waiting run has no driver, so it is cancelled here. A final run: 409.
 */
async function requestCancel(ctx: RouteContext, first: Run): Promise<Run> {
  const stored = await updateRun(ctx.runs, first, (run) => {
    if (FINAL_RUN_STATUSES.includes(run.status)) {
      throw new AgentSpecError(ErrorCode.Conflict, `Run "${run.id}" has already ended (${run.status}).`, { details: { run_id: run.id, status: run.status } });
    }
    const { pending_approvals: _p, checkpoint: _c, ...rest } = run;
    return run.status === 'waiting'
      ? { ...rest, status: 'cancelled', updated_at: new Date().toISOString(), error: cancelledError().toJSON() }
      : { ...run, cancel_requested: true, updated_at: new Date().toISOString() };
  });
  if (stored.status === 'cancelled') {
    // a waiting run has no driver: its log ends here
    await ctx.runs.append(stored.id, [{ type: 'error', data: cancelledError().toJSON() }]).catch((error: unknown) => {
      ctx.logger.error('run log append failed', { run_id: stored.id, error });
    });
    return stored;
  }
  const local = ctx.active.get(stored.id);
  if (!local) return stored;
  local.cancel(cancelledError());
  return (await ctx.active.done(stored.id)) ?? stored;
}
