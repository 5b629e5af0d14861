/**
 * Per-user API keys on Lambda, under AWS's runtime interface client: a
 * user's key from a package `store` secret and another from the secret the
 * stack made for it (`AGENTSPEC_USER_KEY_SECRETS`), both read during INIT;
 * each key reaches only its user's agents, beside the deploy API keys; a
 * user whose key the function cannot find stops INIT with `config_error`
 * naming the user and the variable, never a value.
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

const PACKAGE = `package "ric-users" version "1.0.0" lang "3.0"
secret "alice-key" {
  store("users/alice")
}
agent "assistant" {
  model "claude-haiku-4-5"
}
agent "reporter" {
  model "claude-haiku-4-5"
}
user "alice" {
  key secret("alice-key")
  agents ["assistant"]
  role "invoke"
}
user "bob" {
  key "BOB_API_KEY"
  agents ["reporter"]
  role "invoke"
}
`;
const API_KEYS_SECRET = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:api-keys-AbCdEf';
const BOB_SECRET = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:user-key-bob-GhIjKl';
const KEYS = { deploy: `deploy-key-${process.pid}`, alice: `alice-key-${process.pid}`, bob: `bob-key-${process.pid}` };

let fake: FakeAnthropic;
let outdir: string;
let taskRoot: string;
const running: LambdaFunction[] = [];

async function start(userKeySecrets: Record<string, string>): Promise<LambdaFunction> {
  const fn = await startLambdaFunction({
    taskRoot,
    environment: {
      ...functionEnvironment(PACKAGE, 'ric-users', outdir, fake.url),
      // the API keys' secret, as a stack with auth "api-key" sets it (no AGENTSPEC_AUTH)
      AGENTSPEC_AUTH: undefined,
      AGENTSPEC_API_KEYS_SECRET: API_KEYS_SECRET,
      ANTHROPIC_API_KEY: 'test-model-key',
      AGENTSPEC_USER_KEY_SECRETS: JSON.stringify(userKeySecrets),
    },
    secrets: { [API_KEYS_SECRET]: KEYS.deploy, 'users/alice': KEYS.alice, [BOB_SECRET]: KEYS.bob },
  });
  running.push(fn);
  return fn;
}

/** The status and JSON body of a buffered Function URL answer. */
function answer(result: InvocationResult): { status: number; body: Record<string, unknown> } {
  const payload = (result as { payload: { statusCode: number; body: string } }).payload;
  return { status: payload.statusCode, body: JSON.parse(payload.body) as Record<string, unknown> };
}

const invoke = (fn: LambdaFunction, agent: string, key?: string) =>
  fn.api
    .invoke(
      functionUrlEvent({ method: 'POST', path: `/v1/agents/${agent}/invoke`, body: { message: 'hi' }, headers: key === undefined ? {} : { 'x-api-key': key } }),
    )
    .then(answer);

beforeAll(async () => {
  fake = await startFakeAnthropic();
  fake.respond(() => ({ text: 'Answered.' }));
  // inside the project, so the external @aws-sdk/* resolve as they do from the managed runtime
  outdir = join(projectRoot, 'dist', `test-ric-users-${process.pid}`);
  mkdirSync(outdir, { recursive: true });
  taskRoot = dirname((await buildFunction('run', join(outdir, 'run'))).outfile);
}, 600_000);

afterAll(async () => {
  await Promise.all(running.map((fn) => fn.stop()));
  await fake?.close();
  rmSync(outdir, { recursive: true, force: true });
});

describe('user keys on Lambda', () => {
  it('reads every user key during INIT and lets each reach only its agents', async () => {
    const fn = await start({ BOB_API_KEY: BOB_SECRET });
    await fn.api.initDone();
    const init = fn.api.log.slice(0, fn.api.log.indexOf('next'));
    expect(init.sort()).toEqual([`secret ${API_KEYS_SECRET}`, `secret ${BOB_SECRET}`, 'secret users/alice'].sort());

    expect(await invoke(fn, 'assistant', KEYS.alice)).toMatchObject({ status: 200, body: { output: 'Answered.' } });
    expect(await invoke(fn, 'reporter', KEYS.bob)).toMatchObject({ status: 200, body: { output: 'Answered.' } });
    expect(await invoke(fn, 'reporter', KEYS.alice)).toMatchObject({ status: 403, body: { error: 'forbidden', details: { user: 'alice' } } });
    expect(await invoke(fn, 'assistant', KEYS.bob)).toMatchObject({ status: 403, body: { error: 'forbidden', details: { user: 'bob' } } });
    // the deploy block's keys keep full access; no key is refused
    expect(await invoke(fn, 'reporter', KEYS.deploy)).toMatchObject({ status: 200 });
    expect(await invoke(fn, 'assistant')).toMatchObject({ status: 401, body: { error: 'unauthorized' } });
    for (const key of Object.values(KEYS)) expect(fn.output()).not.toContain(key);
  }, 60_000);

  it('a user whose key the function cannot find stops INIT with config_error naming the user and the variable', async () => {
    // a stack that made no secret for BOB_API_KEY (and the function has no such variable)
    const fn = await start({});
    const calls = fake.requests.length;
    const result = await invoke(fn, 'assistant', KEYS.alice);
    expect(result.status).toBe(500);
    expect(result.body).toMatchObject({ error: 'config_error', details: { user: 'bob', key: 'BOB_API_KEY' } });
    expect(JSON.stringify(result.body)).not.toContain(KEYS.alice);
    // nothing was served: the model was never called
    expect(fake.requests.length).toBe(calls);
  }, 60_000);
});
