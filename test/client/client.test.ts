/**
 * The typed client against a real server over HTTP (the runtime composed from
 * a package, a scripted model): every method, streamed events in order with
 * the run first, a stream resumed from the run's log after its connection is
 * really cut, runs read, followed and cancelled, approvals decided (the run
 * resumed and followed), API errors as the subclass of their code, the API
 * key sent, and a stream left early cancelling the run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AgentSpecApiError,
  AgentSpecClient,
  AgentSpecConnectionError,
  ConflictError,
  InvalidRequestError,
  NotFoundError,
  RunWaitingError,
  UnauthorizedError,
  isApiError,
  type ClientEvent,
  type PendingApproval,
} from '../../shared/client/index.js';
import { composeService, type Service } from '../../shared/compose/compose-service.js';
import { compile } from '../../shared/lang/index.js';
import { SILENT_LOGGER } from '../../shared/telemetry/logger.js';
import { startServer, type RunningServer } from '../../local/server.js';
import { SHOUT_AGENT } from '../helpers/shout-agent.js';
import { scriptedProvider, type ScriptedProvider } from '../helpers/scripted-provider.js';
import { cuttingFetch } from './cutting-fetch.js';

const KEY = 'client-test-key';
const PACKAGE = `package "client" version "2.0.0" lang "2.0"

${SHOUT_AGENT}
pipeline "once" {
  step "only" {
    agent "helper"
    input "{{trigger.text}}"
  }
}
`;

let service: Service;
let server: RunningServer;
let client: AgentSpecClient;
let model: ScriptedProvider;

beforeAll(async () => {
  const { ir } = compile(PACKAGE, { file: 'client.ias' });
  const provider = scriptedProvider().otherwise((request) => {
    const said = JSON.stringify(request.messages);
    if (said.includes('go slowly')) return { text: 'a long answer', hang: true };
    if (said.includes('count')) return { text: ['one ', 'two ', 'three ', 'four ', 'five'], delayMs: 5 };
    if (said.includes('tool_result')) return { text: 'Done.' };
    return said.includes('shout') ? { toolUses: [{ name: 'shout', input: { text: 'hi' } }] } : { text: `echo ${said.length}` };
  });
  model = provider;
  service = await composeService({ ir: ir! }, { providerFor: () => provider });
  server = await startServer({ runtime: () => service.runtime, port: 0, apiKeys: [KEY], logger: SILENT_LOGGER, notice: () => {} });
  client = new AgentSpecClient({ baseUrl: `${server.url}/`, apiKey: KEY });
});

afterAll(async () => {
  await server?.close();
});

async function collect(events: AsyncIterable<ClientEvent>): Promise<ClientEvent[]> {
  const seen: ClientEvent[] = [];
  for await (const event of events) seen.push(event);
  return seen;
}

const texts = (events: ClientEvent[]) => events.flatMap((e) => (e.type === 'text' ? [e.data.text] : [])).join('');

describe('AgentSpecClient', () => {
  it('reads health, agents and pipelines', async () => {
    const health = await client.health();
    expect(health).toMatchObject({ status: 'ok', agents: 1, package: { name: 'client', version: '2.0.0' } });
    expect((await client.agents()).map((a) => a.name)).toEqual(['helper']);
    expect(await client.pipelines()).toEqual([{ name: 'once', steps: ['only'] }]);
  });

  it('invokes an agent and returns the typed result with its run id', async () => {
    const result = await client.invoke('helper', { message: 'shout hi' });
    expect(result.output).toBe('Done.');
    // the command tool reads the JSON input on stdin; `tr` upper-cases all of it
    expect(result.tool_calls.map((c) => [c.name, c.status, c.output])).toEqual([['shout', 'ok', { TEXT: 'HI' }]]);
    expect(result.tokens.total).toBeGreaterThan(0);
    expect(result.run_id).toMatch(/\S/);
    expect(await client.run(result.run_id)).toMatchObject({ run_id: result.run_id, kind: 'invoke', target: 'helper', status: 'succeeded' });
  });

  it('streams the events in order, the run first and done last', async () => {
    const stream = client.stream('helper', { message: 'shout hi' });
    const events = await collect(stream);
    expect(events.map((e) => e.type)).toEqual(['run', 'tool_call_start', 'tool_call_end', 'text', 'done']);
    expect(events[0]).toEqual({ type: 'run', data: { run_id: stream.runId } });
    const done = events.at(-1)!;
    expect(done.type === 'done' && done.data.output).toBe('Done.');
    expect(stream.lastEventId).toBe(5);
  });

  it('resumes a stream whose connection is cut mid-event, delivering every event exactly once', async () => {
    const reference = await collect(client.stream('helper', { message: 'count please' }));
    const cutting = cuttingFetch({ afterEvents: 2.5 });
    const resilient = new AgentSpecClient({ baseUrl: server.url, apiKey: KEY, fetch: cutting.fetch, resume: { initialDelayMs: 1 } });
    const stream = resilient.stream('helper', { message: 'count please' });
    const events = await collect(stream);

    expect(cutting.cuts).toBe(1);
    // the reconnect asked the run's log for what followed the last event delivered (the 2nd)
    expect(cutting.requests.at(-1)).toEqual({ method: 'GET', url: `${server.url}/v1/runs/${stream.runId}/events`, lastEventId: '2' });
    expect(events.map((e) => e.type)).toEqual(reference.map((e) => e.type));
    expect(texts(events)).toBe('one two three four five');
    expect(texts(events)).toBe(texts(reference));
    expect(events.at(-1)).toMatchObject({ type: 'done', data: { output: 'one two three four five' } });
  });

  it('resumes a stream cut before its first event, knowing the run from the X-Run-Id header', async () => {
    const cutting = cuttingFetch({ afterEvents: 0.5 });
    const resilient = new AgentSpecClient({ baseUrl: server.url, apiKey: KEY, fetch: cutting.fetch, resume: { initialDelayMs: 1 } });
    const stream = resilient.stream('helper', { message: 'count please' });
    const events = await collect(stream);
    expect(cutting.cuts).toBe(1);
    expect(cutting.requests.at(-1)).toEqual({ method: 'GET', url: `${server.url}/v1/runs/${stream.runId}/events` });
    expect(events.map((e) => e.type)).toEqual(['run', 'text', 'text', 'text', 'text', 'text', 'done']);
    expect(texts(events)).toBe('one two three four five');
  });

  it('stops waiting to reconnect when the signal is aborted, and cancels the run it leaves', async () => {
    const cutting = cuttingFetch({ afterEvents: 1.5 });
    const patient = new AgentSpecClient({ baseUrl: server.url, apiKey: KEY, fetch: cutting.fetch, resume: { initialDelayMs: 600_000 } });
    const abort = new AbortController();
    const stream = patient.stream('helper', { message: 'go slowly' }, { signal: abort.signal });
    const ended = collect(stream).catch((e: unknown) => e);
    await expect.poll(() => cutting.cuts).toBe(1);
    abort.abort(new Error('the user closed the page'));
    expect(await ended).toMatchObject({ message: 'the user closed the page' });
    await expect.poll(async () => (await client.run(stream.runId!)).status, { timeout: 5000 }).toBe('cancelled');
  });

  it('gives up after its reconnects with the run id and last event id, leaving the run going for runEvents', async () => {
    const cutting = cuttingFetch({ afterEvents: 1.5 });
    // every reconnect fails as an unreachable network would
    const unreachable: typeof fetch = (input, init) =>
      (init?.method ?? 'GET') === 'GET' ? Promise.reject(new TypeError('fetch failed')) : cutting.fetch(input, init);
    const giving = new AgentSpecClient({ baseUrl: server.url, apiKey: KEY, fetch: unreachable, resume: { retries: 1, initialDelayMs: 1 } });
    const stream = giving.stream('helper', { message: 'go slowly' });
    const error = await collect(stream).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AgentSpecConnectionError);
    expect(error).toMatchObject({ runId: stream.runId, lastEventId: 1 });
    expect(await client.run(stream.runId!)).toMatchObject({ status: 'running' });
    await client.cancel(stream.runId!);
  });

  it('gives up with the run id and last event id when reconnecting is off', async () => {
    const cutting = cuttingFetch({ afterEvents: 2 });
    const fragile = new AgentSpecClient({ baseUrl: server.url, apiKey: KEY, fetch: cutting.fetch, resume: false });
    const stream = fragile.stream('helper', { message: 'count please' });
    const error = await collect(stream).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AgentSpecConnectionError);
    expect(error).toMatchObject({ runId: stream.runId, lastEventId: 2 });
  });

  it('follows a run from any event of its log', async () => {
    const stream = client.stream('helper', { message: 'shout hi' });
    const live = await collect(stream);
    const replayed = await collect(client.runEvents(stream.runId!));
    expect(replayed).toEqual(live);
    const rest = await collect(client.runEvents(stream.runId!, { after: 2 }));
    expect(rest).toEqual(live.slice(2));
  });

  it('keeps a conversation in a session and deletes it', async () => {
    const { session_id } = await client.createSession('helper');
    const answer = await client.sendMessage('helper', session_id, { message: 'hello' });
    expect(answer.run_id).toMatch(/\S/);
    const session = await client.session('helper', session_id);
    expect(session.messages.map((m) => m.role)).toEqual(['user', 'assistant']);
    await client.deleteSession('helper', session_id);
    await expect(client.session('helper', session_id)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('runs a pipeline', async () => {
    const result = await client.runPipeline('once', { trigger: { text: 'shout hi' } });
    expect(result).toMatchObject({ pipeline: 'once', status: 'succeeded', steps: [{ name: 'only', status: 'succeeded', output: 'Done.' }] });
    expect(await client.run(result.run_id)).toMatchObject({ kind: 'pipeline', target: 'once', status: 'succeeded' });
  });

  it('starts a detached run at once and cancels it', async () => {
    const accepted = await client.invoke('helper', { message: 'go slowly', detach: true });
    expect(accepted).toMatchObject({ run_id: expect.any(String), status: 'running' });
    const events = client.runEvents(accepted.run_id);
    const first = await events.next();
    expect(first.value).toEqual({ type: 'run', data: { run_id: accepted.run_id } });
    await client.cancel(accepted.run_id);
    const rest = await collect(events);
    expect(rest.at(-1)).toMatchObject({ type: 'error', data: { error: 'cancelled' } });
    expect(await client.run(accepted.run_id)).toMatchObject({ status: 'cancelled' });
    const again = await client.cancel(accepted.run_id).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(ConflictError);
  });

  it('throws the API error as the class of its code, with status, details and request id', async () => {
    const unknown = await client.invoke('nobody', { message: 'hi' }).catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(NotFoundError);
    expect(unknown).toBeInstanceOf(AgentSpecApiError);
    expect(isApiError(unknown, 'not_found')).toBe(true);
    expect(unknown).toMatchObject({ status: 404, code: 'not_found', requestId: expect.any(String) });
    const invalid = await client.invoke('helper', { message: '' }).catch((e: unknown) => e);
    expect(invalid).toBeInstanceOf(InvalidRequestError);
    expect((invalid as InvalidRequestError).issues).toEqual([expect.objectContaining({ path: 'message' })]);
    const stream = client.stream('nobody', { message: 'hi' });
    await expect(stream.next()).rejects.toBeInstanceOf(NotFoundError);
    await expect(client.run('no-such-run')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('sends its API key; without it the server answers unauthorized', async () => {
    const anonymous = new AgentSpecClient({ baseUrl: server.url });
    await expect(anonymous.agents()).rejects.toBeInstanceOf(UnauthorizedError);
    await expect(anonymous.health()).resolves.toMatchObject({ status: 'ok' });
  });

  it('cancels the run on the server when the caller stops reading', async () => {
    let runId: string | undefined;
    const stream = client.stream('helper', { message: 'go slowly' });
    for await (const event of stream) {
      if (event.type === 'run') runId = event.data.run_id;
      if (event.type === 'text') {
        expect(event).toEqual({ type: 'text', data: { text: 'a long answer' } });
        break;
      }
    }
    const call = model.requests.findLastIndex((r) => JSON.stringify(r.messages).includes('go slowly'));
    await expect.poll(() => model.signals[call]?.aborted, { timeout: 5000 }).toBe(true);
    await expect.poll(async () => (await client.run(runId!)).status, { timeout: 5000 }).toBe('cancelled');
  });
});

describe('AgentSpecClient with approvals', () => {
  let approvals: RunningServer;
  let api: AgentSpecClient;
  let reviewed: ScriptedProvider;

  beforeAll(async () => {
    const { ir } = compile(PACKAGE, { file: 'client.ias' });
    reviewed = scriptedProvider().otherwise((request) => {
      const said = JSON.stringify(request.messages);
      if (said.includes('no shouting today')) return { text: 'Alright, quietly then.' };
      if (said.includes('tool_result')) return { text: 'Done.' };
      if (said.includes('twice'))
        return {
          toolUses: [
            { name: 'shout', input: { text: 'a' } },
            { name: 'shout', input: { text: 'b' } },
          ],
        };
      return { toolUses: [{ name: 'shout', input: { text: 'hi' } }] };
    });
    // the deployment's override makes every call of `shout` wait for a decision
    process.env.AGENTSPEC_APPROVAL_SHOUT = 'required';
    try {
      const reviewedService = await composeService({ ir: ir! }, { providerFor: () => reviewed });
      approvals = await startServer({ runtime: () => reviewedService.runtime, port: 0, apiKeys: [KEY], logger: SILENT_LOGGER, notice: () => {} });
    } finally {
      delete process.env.AGENTSPEC_APPROVAL_SHOUT;
    }
    api = new AgentSpecClient({ baseUrl: approvals.url, apiKey: KEY });
  });

  afterAll(async () => {
    await approvals?.close();
  });

  it('streams a pause for approval, approves it and follows the resumed run', async () => {
    const stream = api.stream('helper', { message: 'shout hi' });
    const paused = await collect(stream);
    expect(paused.map((e) => e.type)).toEqual(['run', 'approval_required', 'waiting']);
    const asked = paused[1]!;
    if (asked.type !== 'approval_required') throw new Error('expected approval_required');
    expect(asked.data).toMatchObject({ skill: 'shout', input: { text: 'hi' } });
    expect(await api.run(stream.runId!)).toMatchObject({ status: 'waiting', approvals: [{ id: asked.data.id }] });
    // a paused run has nothing after its `waiting` event: following it from there ends at once
    expect(await collect(api.runEvents(stream.runId!, { after: stream.lastEventId }))).toEqual([]);

    const decided = await api.approve(stream.runId!, asked.data.id);
    expect(decided).toMatchObject({ run_id: stream.runId, output: 'Done.', tool_calls: [{ name: 'shout', status: 'ok', output: { TEXT: 'HI' } }] });
    const resumed = await collect(api.runEvents(stream.runId!, { after: stream.lastEventId }));
    expect(resumed.map((e) => e.type)).toEqual(['tool_call_start', 'tool_call_end', 'text', 'done']);
    expect(resumed.at(-1)).toMatchObject({ type: 'done', data: { output: 'Done.' } });

    const again = await api.approve(stream.runId!, asked.data.id).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(ConflictError);
    expect((again as ConflictError).conflictStatus).toBe('approved');
  });

  it('throws RunWaitingError from a paused invoke; a rejection with a reason resumes it and the model reads the reason', async () => {
    const waiting = await api.invoke('helper', { message: 'shout hi' }).catch((e: unknown) => e);
    expect(waiting).toBeInstanceOf(RunWaitingError);
    const { runId, approvals: pending } = waiting as RunWaitingError;
    expect(pending.map((a) => a.skill)).toEqual(['shout']);

    const decided = await api.reject(runId, pending[0]!.id, { reason: 'no shouting today' });
    expect(decided).toMatchObject({ run_id: runId, output: 'Alright, quietly then.', tool_calls: [{ name: 'shout', status: 'error' }] });
    expect(await api.run(runId)).toMatchObject({ status: 'succeeded', result: { output: 'Alright, quietly then.' } });
    expect(JSON.stringify(reviewed.requests.at(-1)!.messages)).toContain('no shouting today');
  });

  it('approves at once (detach) and follows the resumed run live, as the playground does', async () => {
    const stream = api.stream('helper', { message: 'shout hi' });
    const paused = await collect(stream);
    const asked = paused.find((e) => e.type === 'approval_required')!;
    if (asked.type !== 'approval_required') throw new Error('expected approval_required');
    expect(await api.approve(stream.runId!, asked.data.id, { detach: true })).toMatchObject({ status: 'running' });
    const resumed = await collect(api.runEvents(stream.runId!, { after: stream.lastEventId }));
    expect(resumed.at(-1)).toMatchObject({ type: 'done', data: { output: 'Done.' } });
  });

  it('answers a decision that leaves approvals pending with those (RunWaitingError, or waiting when detached); the last one resumes', async () => {
    const waiting = await api.invoke('helper', { message: 'shout twice' }).catch((e: unknown) => e);
    const { runId, approvals: pending } = waiting as RunWaitingError;
    expect(pending.map((a) => a.input)).toEqual([{ text: 'a' }, { text: 'b' }]);
    const [first, second] = pending as [PendingApproval, PendingApproval];

    const partial = await api.approve(runId, first.id, { detach: true });
    expect(partial).toMatchObject({ run_id: runId, status: 'waiting', approvals: [{ id: second.id }] });
    const answer = await api.approve(runId, second.id);
    // the two approved calls run side by side: the answer lists them as they finished
    expect(answer.tool_calls.map((c) => JSON.stringify(c.output)).sort()).toEqual(['{"TEXT":"A"}', '{"TEXT":"B"}']);
  });
});
