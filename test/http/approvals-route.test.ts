/**
 * `POST /v1/runs/{id}/approvals/{approval}`: a decision is taken once (the
 * store's compare-and-set), an expired one is refused and counts as
 * rejected, and the last decision resumes the run from its checkpoint on
 * whichever instance received it.
 */
import { describe, expect, it } from 'vitest';
import { UserKeys } from '../../shared/http/user-keys.js';
import { MemoryRunStore } from '../../shared/runs/memory-run-store.js';
import type { PendingApproval } from '../../shared/runs/types.js';
import { pausingScript, pendingApproval, type FakeRuntimeOptions } from '../helpers/fake-runtime.js';
import { appWith, post, readEvents } from './helpers.js';

const json = async (res: Response) => (await res.json()) as Record<string, unknown>;

/** An app whose agent `gated` pauses on `approvals` (fresh ones per run), over `store`. */
function pausingApp(
  store: MemoryRunStore,
  approvals: () => PendingApproval[] = () => [pendingApproval('refund', { amount: 30 })],
  options: FakeRuntimeOptions = {},
) {
  return appWith({ agents: { gated: pausingScript(approvals) }, ...options }, { runs: store });
}

/** Starts a run that pauses; its id and the approvals it waits for. */
async function paused(app: ReturnType<typeof appWith>['app']): Promise<{ run: string; approvals: PendingApproval[] }> {
  const res = await app.request('/v1/agents/gated/invoke', post({ message: 'refund A1' }));
  expect(res.status).toBe(202);
  const body = await json(res);
  return { run: body.run_id as string, approvals: body.approvals as PendingApproval[] };
}

const decide = (run: string, approval: string, body: Record<string, unknown>, headers: Record<string, string> = {}) =>
  [`/v1/runs/${run}/approvals/${approval}`, post(body, headers)] as const;

describe('a paused run', () => {
  it('streams approval_required and ends with waiting, whose data has the approvals but never the checkpoint', async () => {
    const { app } = pausingApp(new MemoryRunStore());

    const res = await app.request('/v1/agents/gated/stream', post({ message: 'refund A1' }));
    const events = await readEvents(res);

    expect(events.map((e) => e.event)).toEqual(['run', 'text', 'approval_required', 'waiting']);
    const waiting = JSON.parse(events.at(-1)!.data) as Record<string, unknown>;
    expect(Object.keys(waiting).sort()).toEqual(['approvals', 'run_id']);
    const run = await json(await app.request(`/v1/runs/${res.headers.get('x-run-id')}`));
    expect(run).toMatchObject({ status: 'waiting', approvals: [{ skill: 'refund', input: { amount: 30 } }] });
    expect(JSON.stringify(run)).not.toContain('checkpoint');
  });
});

describe('deciding an approval', () => {
  it('approve resumes the run and answers its result; the run is then succeeded', async () => {
    const { app, runtime } = pausingApp(new MemoryRunStore());
    const { run, approvals } = await paused(app);

    const res = await app.request(...decide(run, approvals[0]!.id, { decision: 'approve' }));

    expect(res.status).toBe(200);
    expect(res.headers.get('x-run-id')).toBe(run);
    expect(await json(res)).toMatchObject({ output: `resumed: ${approvals[0]!.id}=approve` });
    expect(runtime.resumes).toHaveLength(1);
    expect(runtime.resumes[0]!.checkpoint).toMatchObject({ fake: true, agent: 'gated' });
    expect(await json(await app.request(`/v1/runs/${run}`))).toMatchObject({ status: 'succeeded', result: { output: `resumed: ${approvals[0]!.id}=approve` } });
  });

  it('reject passes the reason on to the resumed run', async () => {
    const { app, runtime } = pausingApp(new MemoryRunStore());
    const { run, approvals } = await paused(app);

    const res = await app.request(...decide(run, approvals[0]!.id, { decision: 'reject', reason: 'over the limit' }));

    expect(res.status).toBe(200);
    expect(runtime.resumes[0]!.decisions).toMatchObject([{ approval: approvals[0]!.id, decision: 'reject', reason: 'over the limit' }]);
  });

  it('is taken once: a second decision gets 409 with the status the approval has', async () => {
    const { app, runtime } = pausingApp(new MemoryRunStore());
    const { run, approvals } = await paused(app);
    await app.request(...decide(run, approvals[0]!.id, { decision: 'approve' }));

    const again = await app.request(...decide(run, approvals[0]!.id, { decision: 'reject' }));

    expect(again.status).toBe(409);
    expect(await json(again)).toMatchObject({ error: 'conflict', details: { status: 'approved', approval: approvals[0]!.id } });
    expect(runtime.resumes).toHaveLength(1);
  });

  it('lets exactly one of two concurrent decisions win, and resumes the run once', async () => {
    const { app, runtime } = pausingApp(new MemoryRunStore());
    const { run, approvals } = await paused(app);

    const answers = await Promise.all([
      app.request(...decide(run, approvals[0]!.id, { decision: 'approve' })),
      app.request(...decide(run, approvals[0]!.id, { decision: 'approve' })),
    ]);

    expect(answers.map((r) => r.status).sort()).toEqual([200, 409]);
    expect(runtime.resumes).toHaveLength(1);
  });

  it('refuses a decision after the approval expired (409 expired) and resumes with the call rejected', async () => {
    const { app, runtime } = pausingApp(new MemoryRunStore(), () => [
      { ...pendingApproval('refund', {}), expires_at: new Date(Date.now() - 1000).toISOString() },
    ]);
    const { run, approvals } = await paused(app);

    const res = await app.request(...decide(run, approvals[0]!.id, { decision: 'approve' }));

    expect(res.status).toBe(409);
    expect(await json(res)).toMatchObject({ error: 'conflict', details: { status: 'expired' } });
    const resumedRun = await waitForStatus(app, run, 'succeeded');
    expect(resumedRun).toMatchObject({ result: { output: `resumed: ${approvals[0]!.id}=reject` } });
    expect(runtime.resumes[0]!.decisions).toMatchObject([{ decision: 'reject' }]);
    const again = await app.request(...decide(run, approvals[0]!.id, { decision: 'approve' }));
    expect(await json(again)).toMatchObject({ details: { status: 'expired' } });
  });

  it('waits for every pending approval of the run before resuming', async () => {
    const { app, runtime } = pausingApp(new MemoryRunStore(), () => [pendingApproval('refund', { amount: 1 }), pendingApproval('refund', { amount: 2 })]);
    const { run, approvals } = await paused(app);

    const first = await app.request(...decide(run, approvals[0]!.id, { decision: 'approve' }));
    expect(first.status).toBe(202);
    expect(await json(first)).toEqual({ run_id: run, status: 'waiting', approvals: [approvals[1]] });
    expect(runtime.resumes).toHaveLength(0);

    const second = await app.request(...decide(run, approvals[1]!.id, { decision: 'reject' }));
    expect(await json(second)).toMatchObject({ output: `resumed: ${approvals[0]!.id}=approve, ${approvals[1]!.id}=reject` });
  });

  it('streams the resumed events (continuing the log seqs) with Accept: text/event-stream', async () => {
    const { app } = pausingApp(new MemoryRunStore());
    const { run, approvals } = await paused(app);
    const before = (await json(await app.request(`/v1/runs/${run}`))).last_event_id as number;

    const res = await app.request(...decide(run, approvals[0]!.id, { decision: 'approve' }, { accept: 'text/event-stream' }));
    const events = await readEvents(res);

    expect(events.map((e) => [e.event, Number(e.id)])).toEqual([
      ['text', before + 1],
      ['done', before + 2],
    ]);
  });

  it('answers 202 at once with detach, and the run can be followed from the log', async () => {
    const { app } = pausingApp(new MemoryRunStore());
    const { run, approvals } = await paused(app);
    const waitingSeq = String((await json(await app.request(`/v1/runs/${run}`))).last_event_id);

    const res = await app.request(...decide(run, approvals[0]!.id, { decision: 'approve', detach: true }));

    expect(res.status).toBe(202);
    expect(await json(res)).toEqual({ run_id: run, status: 'running' });
    // a follower that was at the waiting event goes on with the resumed events
    const events = await readEvents(await app.request(`/v1/runs/${run}/events`, { headers: { 'last-event-id': waitingSeq } }));
    expect(events.map((e) => e.event)).toEqual(['text', 'done']);
  });

  it('is decided on another instance sharing the store: it resumes there and the first instance reads the result', async () => {
    const store = new MemoryRunStore();
    const a = pausingApp(store);
    const b = pausingApp(store);
    const { run, approvals } = await paused(a.app);

    const res = await b.app.request(...decide(run, approvals[0]!.id, { decision: 'approve' }));

    expect(res.status).toBe(200);
    expect(a.runtime.resumes).toHaveLength(0);
    expect(b.runtime.resumes).toHaveLength(1);
    expect(await json(await a.app.request(`/v1/runs/${run}`))).toMatchObject({
      status: 'succeeded',
      result: { output: `resumed: ${approvals[0]!.id}=approve` },
    });
  });

  it('answers 404 for an approval the run does not wait for and 400 for a malformed decision', async () => {
    const { app } = pausingApp(new MemoryRunStore());
    const { run, approvals } = await paused(app);

    const unknown = await app.request(...decide(run, 'no-such-approval', { decision: 'approve' }));
    const malformed = await app.request(...decide(run, approvals[0]!.id, { decision: 'maybe' }));
    const noRun = await app.request(...decide('no-such-run', approvals[0]!.id, { decision: 'approve' }));

    expect([unknown.status, malformed.status, noRun.status]).toEqual([404, 400, 404]);
  });
});

describe('who may decide', () => {
  it('a user key decides only runs of the agents it may invoke, and the decision records its name', async () => {
    const users = new UserKeys([
      { identity: { name: 'ana', agents: ['gated'], role: 'invoke' }, key: 'key-ana' },
      { identity: { name: 'bo', agents: ['other'], role: 'invoke' }, key: 'key-bo' },
    ]);
    const { app, runtime } = appWith(
      { agents: { gated: pausingScript(() => [pendingApproval('refund', {})]) } },
      { runs: new MemoryRunStore(), apiKeys: [], users },
    );
    const started = await app.request('/v1/agents/gated/invoke', post({ message: 'refund' }, { authorization: 'Bearer key-ana' }));
    const { run_id: run, approvals } = (await json(started)) as { run_id: string; approvals: PendingApproval[] };

    const bo = await app.request(...decide(run, approvals[0]!.id, { decision: 'approve' }, { authorization: 'Bearer key-bo' }));
    const nobody = await app.request(...decide(run, approvals[0]!.id, { decision: 'approve' }));
    const ana = await app.request(...decide(run, approvals[0]!.id, { decision: 'approve' }, { authorization: 'Bearer key-ana' }));

    expect([bo.status, nobody.status, ana.status]).toEqual([403, 401, 200]);
    expect(runtime.resumes[0]!.decisions).toMatchObject([{ decision: 'approve', user: 'ana' }]);
  });
});

/** The run once it has `status` (a detached resume ends after the answer). */
async function waitForStatus(app: ReturnType<typeof appWith>['app'], run: string, status: string): Promise<Record<string, unknown>> {
  // follow the log to its end instead of polling the status
  await readEvents(await app.request(`/v1/runs/${run}/events?after=0`));
  for (;;) {
    const current = await json(await app.request(`/v1/runs/${run}`));
    if (current.status === status) return current;
    await readEvents(await app.request(`/v1/runs/${run}/events?after=${current.last_event_id as number}`));
  }
}
