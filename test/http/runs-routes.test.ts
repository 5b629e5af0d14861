/** Runs over HTTP: the run id of every invocation, a run's status, its events, cancel, detach and disconnect. */
import { describe, expect, it } from 'vitest';
import { AgentSpecError, ErrorCode } from '../../shared/errors.js';
import { MemoryRunStore } from '../../shared/runs/memory-run-store.js';
import { RESPONSE_SCHEMAS } from '../../shared/http/schemas.js';
import { UserKeys } from '../../shared/http/user-keys.js';
import { prepareSchema } from '../../shared/ir/json-schema-validator.js';
import { echoScript, failingScript, pipelineOf, slowScript } from '../helpers/fake-runtime.js';
import { appWith, post, readEvents } from './helpers.js';
import { gatedScript, sseReader, texts } from './runs-helpers.js';

const json = async (res: Response) => (await res.json()) as Record<string, unknown>;

describe('every invocation is a run', () => {
  it('streams the run id first (header and event seq 1), then the events with the following seqs', async () => {
    const { app } = appWith();
    const res = await app.request('/v1/agents/echo/stream', post({ message: 'hi' }));
    const events = await readEvents(res);
    const id = res.headers.get('x-run-id');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(events.map((e) => [e.id, e.event])).toEqual([
      ['1', 'run'],
      ['2', 'text'],
      ['3', 'done'],
    ]);
    expect(JSON.parse(events[0]!.data)).toEqual({ run_id: id });
  });

  it('answers invoke, session messages and pipeline runs with X-Run-Id, and GET /v1/runs/{id} gives the succeeded run', async () => {
    const { app } = appWith({ agents: { echo: echoScript }, pipelines: [pipelineOf('once', [{ name: 'a', agent: 'echo' }])] });
    const invoke = await app.request('/v1/agents/echo/invoke', post({ message: 'hi' }));
    const session = (await json(await app.request('/v1/agents/echo/sessions', post({})))).session_id as string;
    const message = await app.request(`/v1/agents/echo/sessions/${session}`, post({ message: 'again' }));
    const pipeline = await app.request('/v1/pipelines/once/run', post({ trigger: {} }));

    const runs = await Promise.all([invoke, message, pipeline].map(async (r) => json(await app.request(`/v1/runs/${r.headers.get('x-run-id')}`))));

    expect(runs.map((r) => [r.kind, r.target, r.status])).toEqual([
      ['invoke', 'echo', 'succeeded'],
      ['session', 'echo', 'succeeded'],
      ['pipeline', 'once', 'succeeded'],
    ]);
    expect(runs[0]!.result).toEqual(await invoke.json());
    expect(runs[1]!.session_id).toBe(session);
    expect(runs[2]!.result).toMatchObject({ pipeline: 'once', status: 'succeeded' });
    expect(runs.map((r) => r.last_event_id)).toEqual([3, 3, 2]);
  });

  it('gives a failed run its error, and a cancelled one error cancelled', async () => {
    const { app } = appWith(
      { agents: { bad: failingScript(new AgentSpecError(ErrorCode.BudgetExceeded, 'Token budget of 10 exceeded.')), slow: slowScript(60_000) } },
      { requestTimeoutMs: 10_000 },
    );
    const failed = await app.request('/v1/agents/bad/invoke', post({ message: 'hi' }));
    expect(failed.status).toBe(422);
    const stream = await app.request('/v1/agents/slow/stream', post({ message: 'hi' }));
    const id = stream.headers.get('x-run-id')!;
    const reader = sseReader(stream);
    expect((await reader.next())?.event).toBe('run');

    const cancelled = await json(await app.request(`/v1/runs/${id}/cancel`, { method: 'POST' }));

    expect(cancelled).toMatchObject({ run_id: id, status: 'cancelled', error: { error: 'cancelled' } });
    expect((await reader.rest()).map((e) => e.event)).toEqual(['error']);
    expect(await json(await app.request(`/v1/runs/${failed.headers.get('x-run-id')}`))).toMatchObject({
      status: 'failed',
      error: { error: 'budget_exceeded', message: 'Token budget of 10 exceeded.' },
    });
  });

  it('answers 404 for an unknown run and 400 for a Last-Event-ID that is not a seq', async () => {
    const { app } = appWith();
    expect((await app.request('/v1/runs/nope')).status).toBe(404);
    expect((await app.request('/v1/runs/nope/events')).status).toBe(404);
    expect((await app.request('/v1/runs/nope/cancel', { method: 'POST' })).status).toBe(404);
    const id = (await app.request('/v1/agents/echo/invoke', post({ message: 'hi' }))).headers.get('x-run-id')!;
    const bad = await app.request(`/v1/runs/${id}/events`, { headers: { 'last-event-id': 'abc' } });
    expect(bad.status).toBe(400);
    expect(await json(bad)).toMatchObject({ error: 'invalid_request' });
  });
});

describe('cancel', () => {
  it('stops a streamed run from a second request and answers its final status', async () => {
    const gate = gatedScript(texts(3));
    const { app, runtime } = appWith({ agents: { gated: gate.script } });
    const stream = await app.request('/v1/agents/gated/stream', post({ message: 'hi' }));
    const id = stream.headers.get('x-run-id')!;
    const reader = sseReader(stream);
    gate.release(1);
    expect((await reader.next())?.event).toBe('run');
    expect((await reader.next())?.event).toBe('text');

    const answer = await app.request(`/v1/runs/${id}/cancel`, { method: 'POST' });

    expect(answer.status).toBe(200);
    expect(await json(answer)).toMatchObject({ status: 'cancelled', error: { error: 'cancelled', message: 'The run was cancelled.' } });
    expect(runtime.calls[0]!.aborted).toBe(true);
    const rest = await reader.rest();
    expect(rest.map((e) => [e.event, JSON.parse(e.data).error])).toEqual([['error', 'cancelled']]);
    const again = await app.request(`/v1/runs/${id}/cancel`, { method: 'POST' });
    expect(again.status).toBe(409);
    expect(await json(again)).toMatchObject({ error: 'conflict', details: { status: 'cancelled' } });
  });

  it('stops a run driven by another instance sharing the store (noticed by its cancel watch)', async () => {
    const runs = new MemoryRunStore();
    const gate = gatedScript(texts(3));
    const a = appWith({ agents: { gated: gate.script } }, { runs });
    const b = appWith({ agents: { gated: gate.script } }, { runs });
    const stream = await a.app.request('/v1/agents/gated/stream', post({ message: 'hi' }));
    const id = stream.headers.get('x-run-id')!;
    const reader = sseReader(stream);
    expect((await reader.next())?.event).toBe('run');

    const answer = await json(await b.app.request(`/v1/runs/${id}/cancel`, { method: 'POST' }));

    expect(answer).toMatchObject({ status: 'running', cancel_requested: true });
    expect((await reader.rest()).map((e) => e.event)).toEqual(['error']);
    expect(a.runtime.calls[0]!.aborted).toBe(true);
    expect(await json(await b.app.request(`/v1/runs/${id}`))).toMatchObject({ status: 'cancelled' });
  });
});

describe('detach and disconnect', () => {
  it('without detach, a stream client that disconnects cancels the run', async () => {
    const gate = gatedScript(texts(3));
    const { app, runtime } = appWith({ agents: { gated: gate.script } });
    const stream = await app.request('/v1/agents/gated/stream', post({ message: 'hi' }));
    const id = stream.headers.get('x-run-id')!;
    const reader = sseReader(stream);
    expect((await reader.next())?.event).toBe('run');

    await reader.cancel();

    const after = await readEvents(await app.request(`/v1/runs/${id}/events`, { headers: { 'last-event-id': '1' } }));
    expect(after.map((e) => [e.event, JSON.parse(e.data).error])).toEqual([['error', 'cancelled']]);
    expect(runtime.calls[0]!.aborted).toBe(true);
    expect(await json(await app.request(`/v1/runs/${id}`))).toMatchObject({ status: 'cancelled' });
  });

  it('with detach, the run goes on after the stream client disconnects', async () => {
    const gate = gatedScript(texts(3));
    const { app, runtime } = appWith({ agents: { gated: gate.script } });
    const stream = await app.request('/v1/agents/gated/stream', post({ message: 'hi', detach: true }));
    const id = stream.headers.get('x-run-id')!;
    const reader = sseReader(stream);
    expect((await reader.next())?.event).toBe('run');

    await reader.cancel();
    gate.release();

    const after = await readEvents(await app.request(`/v1/runs/${id}/events`, { headers: { 'last-event-id': '1' } }));
    expect(after.map((e) => e.event)).toEqual(['text', 'text', 'text', 'done']);
    expect(runtime.calls[0]!.aborted).toBe(false);
    expect(await json(await app.request(`/v1/runs/${id}`))).toMatchObject({ status: 'succeeded', result: { output: 't0 t1 t2 ' } });
  });

  it('answers a detached JSON invoke with 202 and the run id at once', async () => {
    const gate = gatedScript(texts(2));
    const { app } = appWith({ agents: { gated: gate.script } });

    const res = await app.request('/v1/agents/gated/invoke', post({ message: 'hi', detach: true }));

    expect(res.status).toBe(202);
    const body = await json(res);
    expect(body).toEqual({ run_id: res.headers.get('x-run-id'), status: 'running' });
    gate.release();
    const events = await readEvents(await app.request(`/v1/runs/${String(body.run_id)}/events`));
    expect(events.map((e) => e.event)).toEqual(['run', 'text', 'text', 'done']);
  });

  it('without detach, a JSON invoke whose client hangs up cancels the run', async () => {
    const gate = gatedScript(texts(2));
    const { app, runtime } = appWith({ agents: { gated: gate.script } });
    const client = new AbortController();
    const answer = app.request('/v1/agents/gated/invoke', { ...post({ message: 'hi' }), signal: client.signal });
    await until(() => runtime.calls.length === 1);

    client.abort();
    // the route answers once the run has ended: cancelled by the hang-up
    const res = await answer;

    expect(res.status).toBe(499);
    expect(runtime.calls[0]!.aborted).toBe(true);
    expect(await json(await app.request(`/v1/runs/${res.headers.get('x-run-id')}`))).toMatchObject({ status: 'cancelled' });
  });
});

describe('user keys', () => {
  it('lets a user key see only runs of agents it may reach', async () => {
    const users = new UserKeys([
      { identity: { name: 'ana', agents: ['echo'], role: 'invoke' }, key: 'key-ana' },
      { identity: { name: 'bo', agents: ['other'], role: 'invoke' }, key: 'key-bo' },
    ]);
    const { app } = appWith({ agents: { echo: echoScript, other: echoScript } }, { apiKeys: [], users });
    const res = await app.request('/v1/agents/echo/invoke', post({ message: 'hi' }, { authorization: 'Bearer key-ana' }));
    const id = res.headers.get('x-run-id')!;

    expect((await app.request(`/v1/runs/${id}`, { headers: { authorization: 'Bearer key-ana' } })).status).toBe(200);
    expect((await app.request(`/v1/runs/${id}`, { headers: { authorization: 'Bearer key-bo' } })).status).toBe(403);
    expect((await app.request(`/v1/runs/${id}/events`, { headers: { authorization: 'Bearer key-bo' } })).status).toBe(403);
    expect((await app.request(`/v1/runs/${id}/cancel`, { method: 'POST', headers: { authorization: 'Bearer key-bo' } })).status).toBe(403);
    expect((await app.request(`/v1/runs/${id}`)).status).toBe(401);
  });
});

async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((resolve) => setImmediate(resolve));
}

describe('run responses match their schemas', () => {
  it('GET /v1/runs/{id}, a cancel answer and a detached 202 match Run and RunAccepted', async () => {
    const violations = (id: 'Run' | 'RunAccepted', body: unknown) =>
      prepareSchema({ $ref: `#/components/schemas/${id}`, components: { schemas: RESPONSE_SCHEMAS } }).violations(body);
    const { app } = appWith({ agents: { bad: failingScript(new AgentSpecError(ErrorCode.BudgetExceeded, 'over')), echo: echoScript } });
    const ok = (await app.request('/v1/agents/echo/invoke', post({ message: 'hi' }))).headers.get('x-run-id');
    const bad = (await app.request('/v1/agents/bad/invoke', post({ message: 'hi' }))).headers.get('x-run-id');
    const detached = await app.request('/v1/agents/echo/invoke', post({ message: 'hi', detach: true }));

    for (const id of [ok, bad]) expect(violations('Run', await json(await app.request(`/v1/runs/${id}`)))).toEqual([]);
    expect(violations('RunAccepted', await json(detached))).toEqual([]);
  });
});
