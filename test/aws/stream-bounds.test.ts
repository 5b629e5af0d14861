/**
 * The stream function's server-side bounds under AWS's runtime interface
 * client (`aws-lambda-ric` on node 22): Lambda gives no disconnect signal,
 * so a run ends on its own limits — a failed write of the response stream,
 * a deadline before the function's timeout, the agent's token budget — and
 * the environment is ready for the next invocation afterwards.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFunction, projectRoot } from '../../scripts/build-functions.mjs';
import { startFakeAnthropic, type FakeAnthropic } from '../helpers/fake-anthropic/index.js';
import { functionEnvironment } from '../helpers/lambda-bundle/index.js';
import type { InvocationResult } from '../helpers/lambda-runtime/runtime-api.js';
import { startLambdaFunction, type LambdaFunction } from '../helpers/lambda-runtime/lambda-function.js';
import { functionUrlEvent } from './helpers/lambda-events.js';

const PACKAGE = `package "bounds" version "1.0.0" lang "2.0"
agent "assistant" {
  model "claude-haiku-4-5"
}
agent "looper" {
  model "claude-haiku-4-5"
  max_turns 100
  timeout "10m"
}
agent "thrifty" {
  model "claude-haiku-4-5"
  max_turns 100
  token_budget 3000
}
`;

let fake: FakeAnthropic;
let outdir: string;
let fn: LambdaFunction;
/** while set, the model answers every call the script does not cover with another tool call */
let looping = false;

type Streamed = Extract<InvocationResult, { kind: 'streamed' }>;

const stream = (agent: string) => functionUrlEvent({ method: 'POST', path: `/v1/agents/${agent}/stream`, body: { message: 'go' } });

/** The SSE events of a streamed body, parsed. */
function events(result: InvocationResult): { event: string; data: Record<string, unknown> }[] {
  const body = (result as Streamed).body.toString('utf8');
  return [...body.matchAll(/^event: (\w+)\ndata: (.*)$/gm)].map((m) => ({ event: m[1]!, data: JSON.parse(m[2]!) as Record<string, unknown> }));
}

/** The environment answers its next invocation, and the model sees that invocation's request and no other meanwhile. */
async function answersNext(): Promise<void> {
  const count = fake.requests.length;
  fake.script({ text: 'Next.' });
  const next = await fn.api.invoke(stream('assistant'));
  expect(events(next).at(-1)).toMatchObject({ event: 'done', data: { output: 'Next.' } });
  expect(fake.requests.length).toBe(count + 1);
}

/** A model that calls a tool on every turn, so the run never ends by itself. */
const TOOL_TURN = { toolUses: [{ name: 'lookup', input: { q: 'more' } }], usage: { input_tokens: 1000, output_tokens: 100 }, chunkDelayMs: 10 };

beforeAll(async () => {
  fake = await startFakeAnthropic();
  fake.respond(() => (looping ? TOOL_TURN : { status: 400, error: { type: 'invalid_request_error', message: 'not looping' } }));
  // inside the project, so the external @aws-sdk/* resolve as they do from the managed runtime
  outdir = join(projectRoot, 'dist', `test-stream-bounds-${process.pid}`);
  mkdirSync(outdir, { recursive: true });
  const built = await buildFunction('stream', join(outdir, 'stream'));
  fn = await startLambdaFunction({
    taskRoot: dirname(built.outfile),
    environment: { ...functionEnvironment(PACKAGE, 'bounds', outdir, fake.url), ANTHROPIC_API_KEY: 'test-key' },
  });
  await fn.api.initDone();
}, 600_000);

afterAll(async () => {
  await fn?.stop();
  await fake?.close();
  rmSync(outdir, { recursive: true, force: true });
});

describe('the stream function bounds a run server-side', () => {
  it('stops the model stream when a write of the response fails, and answers the next invocation', async () => {
    // the model sends one delta, then hangs: the run waits on the model when the response's POST breaks
    fake.script({ text: ['first words', ' and more'], hang: true });
    const before = fake.requests.length;
    const aborted = fake.nextAbort();
    const cut = await fn.api.invoke(stream('assistant'), { cutAfterBytes: 1 });
    expect(cut).toMatchObject({ kind: 'streamed', cut: true });
    // the function gives up the model request it was reading (waited for, not slept on)
    await aborted;
    expect(fake.requests.length).toBe(before + 1);
    // and the environment takes the next invocation
    await answersNext();
  }, 60_000);

  it('ends a run that would go on forever with a timeout event before the function times out', async () => {
    looping = true;
    const before = fake.requests.length;
    const functionDeadline = Date.now() + 4_000;
    const result = await fn.api.invoke(stream('looper'), { timeoutMs: 4_000 });
    const answeredAt = Date.now();
    looping = false;
    const last = events(result).at(-1);
    expect(last).toMatchObject({ event: 'error', data: { error: 'timeout', details: { deadline_ms: expect.any(Number) as number } } });
    // a quarter of the 4 s is kept back: the run ended with its event and the stream closed before Lambda would have killed it
    expect(answeredAt).toBeLessThan(functionDeadline);
    expect((last!.data.details as { deadline_ms: number }).deadline_ms).toBeLessThanOrEqual(3_000);
    expect(fake.requests.length - before).toBeGreaterThan(2);
    // no turn of the looper comes after its end
    await answersNext();
  }, 60_000);

  it("stops a run before its tokens would pass the agent's token_budget", async () => {
    looping = true;
    const before = fake.requests.length;
    const result = await fn.api.invoke(stream('thrifty'));
    looping = false;
    // each turn reports 1 100 tokens against a budget of 3 000; the third call, estimated from the second's real cost, no longer fits
    expect(fake.requests.length - before).toBe(2);
    const last = events(result).at(-1);
    expect(last).toMatchObject({ event: 'error', data: { error: 'budget_exceeded', details: { token_budget: 3000, tokens: { total: 2200 }, turns: 2 } } });
  }, 60_000);
});
