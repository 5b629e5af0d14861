/**
 * Durable runs on Lambda, under AWS's runtime interface client: two stream
 * function environments and a run function environment share one dynalite
 * table, as the stack's functions share the sessions table. A streamed run
 * driven by one stream invocation is followed from a second environment
 * with `Last-Event-ID` (replayed from DynamoDB, then polled), across a
 * follower cut by its own invocation's deadline, without a gap or a
 * duplicate; the run function answers its status from DynamoDB and cancels
 * a run another environment drives; a detached invoke sent to the stream
 * function is answered at once while its invocation drives the run; a run
 * whose driving invocation meets its deadline ends `failed` with `timeout`.
 * And the typed client, whose requests are these functions' invocations,
 * resumes a stream whose connection drops in the other stream environment.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFunctions, projectRoot, type BuiltFunction } from '../../scripts/build-functions.mjs';
import { startFakeAnthropic, type FakeAnthropic } from '../helpers/fake-anthropic/index.js';
import { functionEnvironment } from '../helpers/lambda-bundle/index.js';
import type { InvocationResult } from '../helpers/lambda-runtime/runtime-api.js';
import { startLambdaFunction, type LambdaFunction } from '../helpers/lambda-runtime/lambda-function.js';
import { AgentSpecClient, type ClientEvent } from '../../shared/client/index.js';
import { startDynalite, type DynaliteTable } from './helpers/dynalite-table.js';
import { lambdaFetch } from './helpers/lambda-fetch.js';
import { functionUrlEvent } from './helpers/lambda-events.js';

const PACKAGE = `package "ric-runs" version "1.0.0" lang "2.0"
agent "assistant" {
  model "claude-haiku-4-5"
}
`;

interface SseEvent {
  id: number | undefined;
  event: string;
  data: Record<string, unknown>;
}
type Streamed = Extract<InvocationResult, { kind: 'streamed' }>;

let fake: FakeAnthropic;
let dynamo: DynaliteTable;
let outdir: string;
let built: Record<'run' | 'stream' | 'deploy', BuiltFunction>;
let table: string;
const running: LambdaFunction[] = [];
/** two stream environments (one drives, one follows) and a run environment */
let driver: LambdaFunction;
let follower: LambdaFunction;
let runFn: LambdaFunction;

async function start(name: 'run' | 'stream'): Promise<LambdaFunction> {
  const fn = await startLambdaFunction({
    taskRoot: dirname(built[name].outfile),
    environment: {
      ...functionEnvironment(PACKAGE, `ric-runs-${name}`, outdir, fake.url),
      ANTHROPIC_API_KEY: 'test-model-key',
      AGENTSPEC_SESSIONS_TABLE: table,
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    },
  });
  running.push(fn);
  await fn.api.initDone();
  return fn;
}

/** The SSE events of a body, parsed (comments skipped). */
function parse(text: string): SseEvent[] {
  const events: SseEvent[] = [];
  for (const block of text.split('\n\n')) {
    const fields = Object.fromEntries(
      block
        .split('\n')
        .filter((line) => line !== '' && !line.startsWith(':'))
        .map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1).trimStart()]),
    ) as Record<string, string>;
    if (!fields.event) continue;
    events.push({
      id: fields.id === undefined ? undefined : Number(fields.id),
      event: fields.event,
      data: JSON.parse(fields.data ?? 'null') as Record<string, unknown>,
    });
  }
  return events;
}

const bodyOf = (result: InvocationResult) => (result as Streamed).body.toString('utf8');
const json = (result: InvocationResult) => {
  const payload = (result as { payload: { statusCode: number; body: string } }).payload;
  return { status: payload.statusCode, body: JSON.parse(payload.body) as Record<string, unknown> };
};

/**
 * Starts a streamed run on `fn` and resolves, while it goes on, with its id
 * and the events a client had read once `until` held; `done` is the whole
 * invocation's answer.
 */
async function startStream(fn: LambdaFunction, until: (events: SseEvent[]) => boolean, timeoutMs?: number) {
  let text = '';
  let seen: (value: SseEvent[]) => void = () => {};
  const read = new Promise<SseEvent[]>((resolve) => (seen = resolve));
  const done = fn.api.invoke(functionUrlEvent({ method: 'POST', path: '/v1/agents/assistant/stream', body: { message: 'count' } }), {
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
    onChunk: (chunk) => {
      text += chunk.toString('utf8');
      // only whole events: what a client has read when its connection drops
      const events = parse(text.slice(text.indexOf('event:'), text.lastIndexOf('\n\n') + 2));
      if (until(events)) seen(events);
    },
  });
  const events = await Promise.race([read, done.then((result) => parse(bodyOf(result)))]);
  const runId = events.find((e) => e.event === 'run')?.data.run_id as string;
  return { runId, events, done };
}

const follow = (fn: LambdaFunction, runId: string, after: number, timeoutMs?: number) =>
  fn.api.invoke(functionUrlEvent({ method: 'GET', path: `/v1/runs/${runId}/events`, headers: { 'last-event-id': String(after) } }), {
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
  });

const status = async (runId: string) => json(await runFn.api.invoke(functionUrlEvent({ method: 'GET', path: `/v1/runs/${runId}` })));

beforeAll(async () => {
  [fake, dynamo] = await Promise.all([startFakeAnthropic(), startDynalite()]);
  table = await dynamo.createTable();
  // inside the project, so the external @aws-sdk/* resolve as they do from the managed runtime
  outdir = join(projectRoot, 'dist', `test-ric-runs-${process.pid}`);
  mkdirSync(outdir, { recursive: true });
  built = await buildFunctions(outdir);
  [driver, follower, runFn] = await Promise.all([start('stream'), start('stream'), start('run')]);
}, 600_000);

afterAll(async () => {
  await Promise.all(running.map((fn) => fn.stop()));
  await Promise.all([fake?.close(), dynamo?.close()]);
  rmSync(outdir, { recursive: true, force: true });
});

describe('durable runs on Lambda', () => {
  it('resumes a streamed run in other invocations with Last-Event-ID, across a follower cut by its deadline, without gaps or duplicates', async () => {
    const words = ['one ', 'two ', 'three ', 'four ', 'five ', 'six ', 'seven ', 'eight'];
    fake.script({ text: words, chunkDelayMs: 400 });
    // the client reads the run's first text event from the driving invocation, then its connection drops
    const first = await startStream(driver, (events) => events.some((e) => e.event === 'text'));
    expect(first.events[0]).toMatchObject({ id: 1, event: 'run', data: { run_id: first.runId } });
    const read = [...first.events];

    // it reconnects to another environment, whose invocation ends at its own deadline (a quarter of 3 s kept back) before the run does
    const cut = parse(bodyOf(await follow(follower, first.runId, read.at(-1)!.id!, 3_000)));
    expect(cut.length).toBeGreaterThan(0);
    expect(cut.some((e) => e.event === 'done' || e.event === 'error')).toBe(false);
    read.push(...cut);

    // and again, to a new invocation, which replays what it missed from DynamoDB and follows to the end
    const rest = parse(bodyOf(await follow(follower, first.runId, read.at(-1)!.id!)));
    read.push(...rest);
    expect(read.at(-1)).toMatchObject({ event: 'done', data: { output: words.join('') } });

    // exactly the driving invocation's own stream: every seq once, in order
    const whole = parse(bodyOf(await first.done));
    expect(read.map((e) => e.id)).toEqual(whole.map((e) => e.id));
    expect(read.map((e) => e.id)).toEqual(whole.map((_, i) => i + 1));
    expect(read).toEqual(whole);

    // the run function answers the run's status from the table
    const answer = await status(first.runId);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ run_id: first.runId, kind: 'stream', target: 'assistant', status: 'succeeded', last_event_id: whole.length });
  }, 120_000);

  it('cancels from the run function a run another environment drives', async () => {
    fake.script({ text: ['started'], hang: true });
    const aborted = fake.nextAbort();
    const started = await startStream(driver, (events) => events.some((e) => e.event === 'text'));
    const cancel = json(await runFn.api.invoke(functionUrlEvent({ method: 'POST', path: `/v1/runs/${started.runId}/cancel` })));
    expect(cancel.status).toBeLessThan(300);
    // the driving invocation notices the request in the record, stops the model call and ends the stream
    await aborted;
    expect(parse(bodyOf(await started.done)).at(-1)).toMatchObject({ event: 'error', data: { error: 'cancelled' } });
    expect((await status(started.runId)).body).toMatchObject({ status: 'cancelled', error: { error: 'cancelled' } });
  }, 60_000);

  it('a detached invoke sent to the stream function is answered at once, and its invocation drives the run to its end', async () => {
    fake.script({ text: ['slow ', 'but ', 'done'], chunkDelayMs: 400 });
    const answered = await driver.api.invoke(
      functionUrlEvent({ method: 'POST', path: '/v1/agents/assistant/invoke', body: { message: 'later', detach: true } }),
    );
    const reply = answered as Streamed;
    expect(reply.prelude).toMatchObject({ statusCode: 202 });
    const { run_id: runId } = JSON.parse(reply.body.toString('utf8')) as { run_id: string };
    // the answer came back while the model was still writing: the run is running, and ends without its client
    expect((await status(runId)).body).toMatchObject({ status: 'running' });
    const events = parse(bodyOf(await follow(follower, runId, 0)));
    expect(events.at(-1)).toMatchObject({ event: 'done', data: { output: 'slow but done' } });
    expect((await status(runId)).body).toMatchObject({ status: 'succeeded', result: { output: 'slow but done' } });
  }, 60_000);

  it('a run whose driving invocation meets its deadline ends failed with timeout, which the run function reports', async () => {
    fake.script({ text: ['slow'], hang: true });
    const started = await startStream(driver, (events) => events.some((e) => e.event === 'text'), 3_000);
    const last = parse(bodyOf(await started.done)).at(-1);
    expect(last).toMatchObject({ event: 'error', data: { error: 'timeout' } });
    expect((await status(started.runId)).body).toMatchObject({ status: 'failed', error: { error: 'timeout' } });
  }, 60_000);
});

describe('the typed client against the Lambda functions', () => {
  it('streams a run, resumes it in another stream invocation when its connection drops, and reads it from the run function', async () => {
    const words = ['alpha ', 'beta ', 'gamma ', 'delta'];
    fake.script({ text: words, chunkDelayMs: 300 });
    const client = new AgentSpecClient({
      baseUrl: 'https://abc123.lambda-url.us-east-1.on.aws',
      // as the stack's URLs split the routes: streams on the stream function (a resume on another environment), the rest on run
      fetch: lambdaFetch({
        pick: (_, path) => (path.endsWith('/events') ? follower : path.endsWith('/stream') ? driver : runFn),
        drop: (received) => received.includes('event: text'),
      }),
      resume: { initialDelayMs: 50 },
    });
    const followed = follower.api.log.length;
    const stream = client.stream('assistant', { message: 'count' });
    const events: ClientEvent[] = [];
    for await (const event of stream) events.push(event);
    // every event once, in order, though the first connection broke after the first text event
    expect(events.map((e) => e.type)).toEqual(['run', ...words.map(() => 'text'), 'done']);
    expect(events.at(-1)).toMatchObject({ type: 'done', data: { output: words.join('') } });
    // the rest came from a GET …/events invocation of the other stream environment
    expect(follower.api.log.slice(followed).some((line) => line.startsWith('event'))).toBe(true);
    expect(await client.run(stream.runId!)).toMatchObject({ run_id: stream.runId, status: 'succeeded', last_event_id: stream.lastEventId });
  }, 60_000);
});
