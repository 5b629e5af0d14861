/**
 * Human approval on Lambda, under AWS's runtime interface client: a streamed
 * run on the stream function pauses on a skill declared `approval
 * "required"` (its stream ends with `waiting`), and the decision sent to the
 * run function — another environment sharing the same dynalite table —
 * resumes it there: the tool runs once, the decision's answer is the run's
 * result, the stream environment then reads the run `succeeded`, and a second
 * decision on the same approval is refused with 409 `conflict`.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFunctions, projectRoot, type BuiltFunction } from '../../scripts/build-functions.mjs';
import { startFakeAnthropic, type FakeAnthropic } from '../helpers/fake-anthropic/index.js';
import { functionEnvironment } from '../helpers/lambda-bundle/index.js';
import type { InvocationResult } from '../helpers/lambda-runtime/runtime-api.js';
import { startLambdaFunction, type LambdaFunction } from '../helpers/lambda-runtime/lambda-function.js';
import { startDynalite, type DynaliteTable } from './helpers/dynalite-table.js';
import { functionUrlEvent } from './helpers/lambda-events.js';

const PACKAGE = `package "ric-approvals" version "1.0.0" lang "2.0"
skill "refund" {
  description "Refund an order"
  input {
    order string required
  }
  tool command {
    binary "echo"
    args ["refunded"]
  }
  approval "required"
}
agent "assistant" {
  uses skill "refund"
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
/** a stream environment (drives the run until it pauses) and a run environment (receives the decision) */
let streamFn: LambdaFunction;
let runFn: LambdaFunction;

async function start(name: 'run' | 'stream'): Promise<LambdaFunction> {
  const fn = await startLambdaFunction({
    taskRoot: dirname(built[name].outfile),
    environment: {
      ...functionEnvironment(PACKAGE, `ric-approvals-${name}`, outdir, fake.url),
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
/** A JSON answer, buffered (the run function) or streamed (the stream function). */
const json = (result: InvocationResult) => {
  if (result.kind === 'streamed') {
    return { status: result.prelude?.statusCode, body: JSON.parse(bodyOf(result)) as Record<string, unknown> };
  }
  const payload = (result as { payload: { statusCode: number; body: string } }).payload;
  return { status: payload.statusCode, body: JSON.parse(payload.body) as Record<string, unknown> };
};

const decide = async (runId: string, approval: string) =>
  json(await runFn.api.invoke(functionUrlEvent({ method: 'POST', path: `/v1/runs/${runId}/approvals/${approval}`, body: { decision: 'approve' } })));

/** The tool results the model was sent, over every request it received. */
function toolResults(): unknown[] {
  const results: unknown[] = [];
  for (const request of fake.requests) {
    const messages = (request.body as { messages?: { content: unknown }[] }).messages ?? [];
    const last = messages.at(-1);
    if (!last || !Array.isArray(last.content)) continue;
    for (const block of last.content as { type: string }[]) if (block.type === 'tool_result') results.push(block);
  }
  return results;
}

beforeAll(async () => {
  [fake, dynamo] = await Promise.all([startFakeAnthropic(), startDynalite()]);
  table = await dynamo.createTable();
  // inside the project, so the external @aws-sdk/* resolve as they do from the managed runtime
  outdir = join(projectRoot, 'dist', `test-ric-approvals-${process.pid}`);
  mkdirSync(outdir, { recursive: true });
  built = await buildFunctions(outdir);
  [streamFn, runFn] = await Promise.all([start('stream'), start('run')]);
}, 600_000);

afterAll(async () => {
  await Promise.all(running.map((fn) => fn.stop()));
  await Promise.all([fake?.close(), dynamo?.close()]);
  rmSync(outdir, { recursive: true, force: true });
});

describe('human approval on Lambda', () => {
  it('a streamed run pauses on the stream function, and a decision sent to the run function resumes it there once', async () => {
    fake.script({ toolUses: [{ id: 'toolu_refund', name: 'refund', input: { order: 'A1' } }] }, { text: 'Refunded order A1.' });

    // the stream invocation ends with the run waiting for a person's decision; the tool has not run
    const paused = parse(
      bodyOf(await streamFn.api.invoke(functionUrlEvent({ method: 'POST', path: '/v1/agents/assistant/stream', body: { message: 'refund A1' } }))),
    );
    const runId = paused[0]?.data.run_id as string;
    expect(paused[0]).toMatchObject({ event: 'run', data: { run_id: runId } });
    const required = paused.find((e) => e.event === 'approval_required');
    expect(required).toMatchObject({ data: { tool_call_id: 'toolu_refund', skill: 'refund', input: { order: 'A1' } } });
    const approval = required!.data.id as string;
    expect(paused.some((e) => e.event === 'tool_call_start')).toBe(false);
    expect(paused.at(-1)).toMatchObject({ event: 'waiting', data: { run_id: runId, approvals: [{ id: approval, skill: 'refund' }] } });
    expect(fake.requests).toHaveLength(1);
    const waiting = json(await streamFn.api.invoke(functionUrlEvent({ method: 'GET', path: `/v1/runs/${runId}` })));
    expect(waiting.body).toMatchObject({ status: 'waiting', approvals: [{ id: approval }] });

    // the decision goes to the run function, which resumes the run from the table's checkpoint and answers with its result
    const decided = await decide(runId, approval);
    expect(decided.status).toBe(200);
    expect(decided.body).toMatchObject({ output: 'Refunded order A1.' });

    // the tool ran once, and the model read its output
    expect(fake.requests).toHaveLength(2);
    const results = toolResults();
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({ type: 'tool_result', tool_use_id: 'toolu_refund' });
    expect(JSON.stringify(results[0])).toContain('"content":"refunded"');

    // the stream environment reads the run's end from the table
    const after = json(await streamFn.api.invoke(functionUrlEvent({ method: 'GET', path: `/v1/runs/${runId}` })));
    expect(after.status).toBe(200);
    expect(after.body).toMatchObject({ run_id: runId, kind: 'stream', status: 'succeeded', result: { output: 'Refunded order A1.' } });

    // the same decision again is refused, and nothing runs again
    const again = await decide(runId, approval);
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ error: 'conflict', details: { status: 'approved' } });
    expect(fake.requests).toHaveLength(2);
  }, 120_000);
});
