/**
 * `POST /v1/runs/{id}/approvals/{approval}`: a person's decision on a tool
 * call a paused run waits for. The decision is written into the run record
 * with the store's compare-and-set, so it is taken once whichever instance
 * receives it: a second decision (or one racing it) gets 409 `conflict`
 * with the status the approval has. A decision after the approval expired
 * is refused (409, `expired`) and the call counts as rejected. When the
 * last pending approval is settled, the same write moves the run back to
 * `running` and this instance resumes it from its checkpoint through the
 * run recorder; the answer is then the run's, like invoke: JSON once it
 * ends or pauses again, its events as SSE with `Accept: text/event-stream`,
 * or 202 at once with `"detach": true`.
 */
import type { Context, Hono } from 'hono';
import { AgentSpecError, ErrorCode } from '../../errors.js';
import { checkEditedInput } from '../../loop/resume-turn.js';
import type { AgentRuntime } from '../../loop/types.js';
import { driveRun } from '../../runs/drive-run.js';
import { updateRun } from '../../runs/update-run.js';
import type { ApprovalDecision, PendingApproval, Run } from '../../runs/types.js';
import type { AppEnv, RouteContext } from '../context.js';
import { hostSignal, keepAlive } from '../host.js';
import { readBody } from '../read-body.js';
import { ApprovalBody } from '../schemas.js';
import { lastEventId, readableRun, runAnswer, streamRunEvents } from './runs.js';

/** A decision's body as read (defaults filled in). */
type ApprovalRequest = NonNullable<(typeof ApprovalBody)['type']>;

/** The reason a model reads for a call whose approval expired. */
export const EXPIRED_REASON = 'the approval expired before anyone decided';

export function approvalRoutes(app: Hono<AppEnv>, ctx: RouteContext): void {
  app.post('/v1/runs/:id/approvals/:approval', async (c) => {
    const body = await readBody(c, ApprovalBody, ctx.bodyLimitBytes);
    const id = c.req.param('id');
    const approval = c.req.param('approval');
    const runtime = ctx.runtime();
    const decided = await decide(c, ctx, runtime, id, approval, body);
    if (decided.resumed === undefined) {
      if (decided.expired) throw expired(decided.run, approval);
      return c.json({ run_id: decided.run.id, status: decided.run.status, approvals: pendingOf(decided.run) }, 202);
    }
    const { run, after } = decided.resumed;
    const checkpoint = decided.checkpoint;
    const decisions = run.decisions ?? [];
    const stream = (c.req.header('accept') ?? '').includes('text/event-stream');
    // the decision's request is not the run's stream: only a streamed answer's disconnect may stop the run, and only without detach
    const driven = driveRun(ctx, run, (signal) => runtime.resume(checkpoint, decisions, signal), {
      detach: body.detach || !stream,
      hostSignal: hostSignal(c),
    });
    keepAlive(c, driven.done);
    if (decided.expired) throw expired(run, approval);
    if (stream) return streamRunEvents(c, ctx, driven, after, run.id, { onDisconnect: () => driven.disconnect() });
    c.header('X-Run-Id', run.id);
    if (body.detach) return c.json({ run_id: run.id, status: 'running' }, 202);
    return runAnswer(c, await driven.done);
  });
}

interface Decided {
  run: Run;
  /** the decision arrived after the approval expired: recorded as a rejection, answered 409 */
  expired: boolean;
  checkpoint: Record<string, unknown>;
  /** set when this decision settled the last pending approval: the run as written (`running`) and its last seq */
  resumed?: { run: Run; after: number };
}

/** Writes the decision with compare-and-set, re-reading the run when another writer got there first. */
async function decide(c: Context<AppEnv>, ctx: RouteContext, runtime: AgentRuntime, id: string, approval: string, body: ApprovalRequest): Promise<Decided> {
  const user = c.get('user');
  // what the write that won decided on (the change may run again on a fresh read)
  let seen: { run: Run; isExpired: boolean; settled: boolean } | undefined;
  const stored = await updateRun(ctx.runs, await readableRun(c, ctx, id), (run) => {
    const earlier = run.decisions?.find((d) => d.approval === approval);
    if (earlier) throw alreadyDecided(run, earlier);
    const pending = run.status === 'waiting' ? run.pending_approvals?.find((a) => a.id === approval) : undefined;
    if (!pending || !run.checkpoint) {
      throw new AgentSpecError(ErrorCode.NotFound, `Run "${id}" has no pending approval "${approval}".`, {
        details: { run_id: id, approval, status: run.status },
      });
    }
    const now = new Date();
    const isExpired = now.getTime() > Date.parse(pending.expires_at);
    if (!isExpired && body.decision === 'approve' && body.input !== undefined) checkEditedInput(runtime.ir, pending.skill, body.input);
    const decision: ApprovalDecision = {
      approval,
      decision: isExpired ? 'reject' : body.decision,
      decided_at: now.toISOString(),
      ...(isExpired ? { reason: EXPIRED_REASON } : body.reason === undefined ? {} : { reason: body.reason }),
      ...(!isExpired && body.input !== undefined ? { input: body.input } : {}),
      ...(user ? { user: user.name } : {}),
    };
    const decisions = [...(run.decisions ?? []), decision];
    const settled = (run.pending_approvals ?? []).every((a) => decisions.some((d) => d.approval === a.id) || now.getTime() > Date.parse(a.expires_at));
    seen = { run, isExpired, settled };
    return { ...run, decisions, updated_at: now.toISOString(), ...(settled ? { status: 'running' as const } : {}) };
  });
  const { run, isExpired, settled } = seen!;
  const decided: Decided = { run: stored, expired: isExpired, checkpoint: run.checkpoint! };
  if (settled) decided.resumed = { run: stored, after: await lastEventId(ctx, stored) };
  return decided;
}

function pendingOf(run: Run): PendingApproval[] {
  return (run.pending_approvals ?? []).filter((a) => !run.decisions?.some((d) => d.approval === a.id));
}

function alreadyDecided(run: Run, decision: ApprovalDecision): AgentSpecError {
  const pending = run.pending_approvals?.find((a) => a.id === decision.approval);
  const late = pending ? Date.parse(decision.decided_at) > Date.parse(pending.expires_at) : decision.reason === EXPIRED_REASON;
  const status = late ? 'expired' : decision.decision === 'approve' ? 'approved' : 'rejected';
  return new AgentSpecError(ErrorCode.Conflict, `Approval "${decision.approval}" of run "${run.id}" was already decided (${status}).`, {
    details: { run_id: run.id, approval: decision.approval, status },
  });
}

function expired(run: Run, approval: string): AgentSpecError {
  return new AgentSpecError(ErrorCode.Conflict, `Approval "${approval}" of run "${run.id}" expired before the decision; the call counts as rejected.`, {
    details: { run_id: run.id, approval, status: 'expired' },
  });
}
