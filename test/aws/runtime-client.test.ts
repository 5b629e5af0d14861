/**
 * The built run and stream functions under AWS's own runtime interface
 * client (`aws-lambda-ric` on node 22) against the Runtime API stand-in: the
 * buffered and streamed answers as Lambda receives them, a body-less answer
 * through the stream function, and the runtime built during INIT — the
 * Anthropic key read from the secrets extension before the runtime client
 * asks for its first event; for a package with an OpenAI agent, the OpenAI
 * key too, which a run then sends to the Chat Completions stand-in.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFunctions, projectRoot, type BuiltFunction } from '../../scripts/build-functions.mjs';
import { startFakeAnthropic, type FakeAnthropic } from '../helpers/fake-anthropic/index.js';
import { startFakeOpenAI, type FakeOpenAI } from '../helpers/fake-openai/index.js';
import { functionEnvironment } from '../helpers/lambda-bundle/index.js';
import { startLambdaFunction, type LambdaFunction } from '../helpers/lambda-runtime/lambda-function.js';
import { functionUrlEvent } from './helpers/lambda-events.js';

const PACKAGE = `package "ric" version "1.0.0" lang "2.0"
agent "assistant" {
  model "claude-haiku-4-5"
}
`;
const KEY_SECRET = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:anthropic-key-AbCdEf';
const OPENAI_PACKAGE = `package "ric-openai" version "1.0.0" lang "2.0"
agent "checker" {
  model "openai/gpt-4o-mini"
}
`;
const OPENAI_KEY_SECRET = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:openai-key-GhIjKl';

let fake: FakeAnthropic;
let fakeOpenAI: FakeOpenAI;
let outdir: string;
let built: Record<'run' | 'stream' | 'deploy', BuiltFunction>;
const running: LambdaFunction[] = [];
let streamFunction: LambdaFunction | undefined;

async function start(name: 'run' | 'stream'): Promise<LambdaFunction> {
  const fn = await startLambdaFunction({
    taskRoot: dirname(built[name].outfile),
    environment: {
      ...functionEnvironment(PACKAGE, `ric-${name}`, outdir, fake.url),
      AGENTSPEC_ANTHROPIC_SECRET: KEY_SECRET,
    },
    secrets: { [KEY_SECRET]: 'ric-test-key' },
  });
  running.push(fn);
  return fn;
}

beforeAll(async () => {
  [fake, fakeOpenAI] = await Promise.all([startFakeAnthropic(), startFakeOpenAI()]);
  // inside the project, so the external @aws-sdk/* resolve as they do from the managed runtime
  outdir = join(projectRoot, 'dist', `test-ric-${process.pid}`);
  mkdirSync(outdir, { recursive: true });
  built = await buildFunctions(outdir);
}, 600_000);

afterAll(async () => {
  await Promise.all(running.map((fn) => fn.stop()));
  await Promise.all([fake?.close(), fakeOpenAI?.close()]);
  rmSync(outdir, { recursive: true, force: true });
});

describe('the functions under aws-lambda-ric', () => {
  it('run: builds the runtime during INIT, then answers a Function URL event buffered', async () => {
    const fn = await start('run');
    await fn.api.initDone();
    // INIT is everything before the first `next`: the key was read by then
    expect(fn.api.log.slice(0, 2)).toEqual([`secret ${KEY_SECRET}`, 'next']);
    fake.script({ text: 'Hello from Lambda.' });
    const result = await fn.api.invoke(functionUrlEvent({ method: 'POST', path: '/v1/agents/assistant/invoke', body: { message: 'hi' } }));
    expect(result.kind).toBe('buffered');
    const payload = (result as { payload: { statusCode: number; body: string } }).payload;
    expect(payload.statusCode).toBe(200);
    expect(JSON.parse(payload.body)).toMatchObject({ output: 'Hello from Lambda.' });
    expect(fake.requests.at(-1)?.apiKey).toBe('ric-test-key');
  });

  it('stream: sends the prelude, the 8 NUL bytes, then each SSE event', async () => {
    const fn = (streamFunction = await start('stream'));
    fake.script({ text: ['Hel', 'lo.'] });
    const result = await fn.api.invoke(functionUrlEvent({ method: 'POST', path: '/v1/agents/assistant/stream', body: { message: 'hi' } }));
    expect(result).toMatchObject({ kind: 'streamed', contentType: 'application/vnd.awslambda.http-integration-response' });
    const streamed = result as Extract<typeof result, { kind: 'streamed' }>;
    expect(streamed.prelude).toMatchObject({ statusCode: 200, headers: { 'content-type': 'text/event-stream' } });
    const events = [...streamed.body.toString('utf8').matchAll(/^event: (\w+)$/gm)].map((m) => m[1]);
    expect(events).toEqual(['run', 'text', 'text', 'done']);
    expect(streamed.error).toBeUndefined();
  });

  it('stream: a body-less answer keeps its status and headers', async () => {
    const fn = streamFunction ?? (await start('stream'));
    const created = await fn.api.invoke(functionUrlEvent({ method: 'POST', path: '/v1/agents/assistant/sessions', body: {} }));
    const session = JSON.parse((created as Extract<typeof created, { kind: 'streamed' }>).body.toString('utf8')) as { session_id: string };
    const deleted = await fn.api.invoke(functionUrlEvent({ method: 'DELETE', path: `/v1/agents/assistant/sessions/${session.session_id}` }));
    expect(deleted).toMatchObject({ kind: 'streamed', prelude: { statusCode: 204 } });
    expect((deleted as Extract<typeof deleted, { kind: 'streamed' }>).body.length).toBe(0);
  });
});

describe('a package with an OpenAI agent under aws-lambda-ric', () => {
  it('run: reads both model keys during INIT, sends the OpenAI one to the endpoint of its environment, and redacts it', async () => {
    const key = `ric-openai-key-${process.pid}`;
    const fn = await startLambdaFunction({
      taskRoot: dirname(built.run.outfile),
      environment: {
        ...functionEnvironment(OPENAI_PACKAGE, 'ric-openai-run', outdir, fake.url),
        // as the stack sets them: both secrets' ARNs, and the endpoint from the lambda deploy block's env
        AGENTSPEC_ANTHROPIC_SECRET: KEY_SECRET,
        AGENTSPEC_OPENAI_SECRET: OPENAI_KEY_SECRET,
        OPENAI_BASE_URL: fakeOpenAI.baseURL,
      },
      secrets: { [KEY_SECRET]: 'ric-test-key', [OPENAI_KEY_SECRET]: key },
    });
    running.push(fn);
    await fn.api.initDone();
    // both reads are in flight together; INIT ends (the first `next`) once both are in
    expect(fn.api.log.slice(0, 2).sort()).toEqual([`secret ${KEY_SECRET}`, `secret ${OPENAI_KEY_SECRET}`].sort());
    expect(fn.api.log[2]).toBe('next');

    fakeOpenAI.script({ text: 'Checked on Lambda.' });
    const result = await fn.api.invoke(functionUrlEvent({ method: 'POST', path: '/v1/agents/checker/invoke', body: { message: 'hi' } }));
    const payload = (result as { payload: { statusCode: number; body: string } }).payload;
    expect(payload.statusCode).toBe(200);
    expect(JSON.parse(payload.body)).toMatchObject({ output: 'Checked on Lambda.' });
    expect(fakeOpenAI.requests.at(-1)?.apiKey).toBe(key);

    // a key that reaches a log line (here through the request path) is redacted under its variable's name
    await fn.api.invoke(functionUrlEvent({ method: 'GET', path: `/v1/agents/${key}` }));
    await expect.poll(() => fn.output()).toContain('[REDACTED:openai-api-key]');
    expect(fn.output()).not.toContain(key);
  });
});
