/**
 * The built deploy function under AWS's runtime interface client
 * (`aws-lambda-ric` on node 22), its SDK clients pointed at an HTTP stand-in
 * of the Lambda control plane and S3 (`helpers/lambda-control-plane.ts`): the
 * hot swap as the function really sends it — S3 PutObject, the conditional
 * configuration update, the waiter, PublishVersion, the smoke Invoke of each
 * new version, the alias moves — and a smoke failure that leaves the aliases.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFunction, projectRoot } from '../../scripts/build-functions.mjs';
import { irKey, serializeIR } from '../../functions/lib/aws/ir-object.js';
import { DEPLOY_COVERAGE_ENV } from '../../functions/lib/hot-swap/coverage.js';
import { compile } from '../../shared/lang/index.js';
import { startLambdaFunction, type LambdaFunction } from '../helpers/lambda-runtime/lambda-function.js';
import { startLambdaControlPlane, type LambdaControlPlane } from './helpers/lambda-control-plane.js';
import { healthyAnswer, httpAnswer, LambdaState } from './helpers/lambda-state.js';
import { functionUrlEvent } from './helpers/lambda-events.js';

const source = (version: string) => `package "swap" version "${version}" lang "2.0"
agent "assistant" {
  model "claude-haiku-4-5"
}
`;

let outdir: string;
let state: LambdaState;
let plane: LambdaControlPlane;
let fn: LambdaFunction;

beforeAll(async () => {
  // inside the project, so the external @aws-sdk/* resolve as they do from the managed runtime
  outdir = join(projectRoot, 'dist', `test-ric-deploy-${process.pid}`);
  mkdirSync(outdir, { recursive: true });
  const built = await buildFunction('deploy', outdir);
  state = new LambdaState();
  state.functions['stream-fn']!.streaming = true;
  plane = await startLambdaControlPlane(state);
  fn = await startLambdaFunction({
    taskRoot: dirname(built.outfile),
    environment: {
      AGENTSPEC_IR_BUCKET: 'ir-bucket',
      AGENTSPEC_RUN_FUNCTION: 'run-fn',
      AGENTSPEC_STREAM_FUNCTION: 'stream-fn',
      AGENTSPEC_ALIAS: 'live',
      [DEPLOY_COVERAGE_ENV]: JSON.stringify({ secrets: [], files: [], lambda: {} }),
      AWS_ENDPOINT_URL_LAMBDA: plane.url,
      AWS_ENDPOINT_URL_S3: plane.url,
    },
  });
}, 600_000);

afterAll(async () => {
  await fn?.stop();
  await plane?.close();
  if (outdir) rmSync(outdir, { recursive: true, force: true });
});

async function deploy(text: string): Promise<{ statusCode: number; body: Record<string, unknown> }> {
  const result = await fn.api.invoke(functionUrlEvent({ path: '/v1/deploy', body: text, headers: { 'content-type': 'text/plain' } }), {
    timeoutMs: 300_000,
  });
  if (result.kind !== 'buffered') throw new Error(`the deploy function answered ${JSON.stringify(result)}\n${fn.output()}`);
  const payload = result.payload as { statusCode: number; body: string };
  return { statusCode: payload.statusCode, body: JSON.parse(payload.body) as Record<string, unknown> };
}

describe('the deploy function under aws-lambda-ric', () => {
  it('hot-swaps a package through the Lambda and S3 REST APIs, smoke-testing each new version before moving the aliases', async () => {
    // Prepare
    const ir = compile(source('1.0.0'), { file: 'package.ias' }).ir!;
    const { digest, body } = serializeIR(ir);
    // Act
    const res = await deploy(source('1.0.0'));
    // Assess
    expect(res).toMatchObject({ statusCode: 200, body: { digest, version: '2', package: { name: 'swap', version: '1.0.0' } } });
    expect(state.objects.get(irKey(digest))).toBe(body);
    expect(state.functions['run-fn']!.alias.version).toBe('2');
    expect(state.functions['stream-fn']!.alias.version).toBe('2');
    expect(state.functions['run-fn']!.versions['2']).toEqual({ KEEP: 'me', AGENTSPEC_IR_DIGEST: digest });
    const writes = plane.requests.filter((r) => !r.startsWith('GET '));
    expect(writes).toEqual([
      `PUT /ir-bucket/${irKey(digest)}`,
      'PUT /2015-03-31/functions/run-fn/configuration',
      'POST /2015-03-31/functions/run-fn/versions',
      'PUT /2015-03-31/functions/stream-fn/configuration',
      'POST /2015-03-31/functions/stream-fn/versions',
      'POST /2015-03-31/functions/run-fn/invocations',
      'POST /2015-03-31/functions/stream-fn/invocations',
      'PUT /2015-03-31/functions/run-fn/aliases/live',
      'PUT /2015-03-31/functions/stream-fn/aliases/live',
    ]);
  });

  it('answers deploy_error and leaves both aliases when a new version fails its smoke test', async () => {
    state.onInvoke = (call) => (call.name === 'run-fn' ? { payload: httpAnswer(false, 500, { error: 'config_error' }) } : healthyAnswer(call));
    const res = await deploy(source('2.0.0'));
    expect(res).toMatchObject({
      statusCode: 500,
      body: { error: 'deploy_error', details: { step: 'smoke test', smoke: { function: 'run', version: '3', status: 500 }, live: false } },
    });
    expect(state.functions['run-fn']!.alias.version).toBe('2');
    expect(state.functions['stream-fn']!.alias.version).toBe('2');
    expect(plane.requests.filter((r) => r.includes('/aliases/') && r.startsWith('PUT'))).toHaveLength(2);
  });

  it('answers a RevisionId conflict (412 PreconditionFailedException) as a concurrent deploy', async () => {
    state.onInvoke = healthyAnswer;
    // another writer changes the functions right before this deploy's first configuration update
    state.concurrentWriteAt('UpdateFunctionConfiguration', state.calls.filter((c) => c.startsWith('UpdateFunctionConfiguration')).length + 1);
    const res = await deploy(source('3.0.0'));
    expect(res).toMatchObject({ statusCode: 500, body: { error: 'deploy_error', details: { concurrent: true } } });
    expect(state.functions['run-fn']!.alias.version).toBe('2');
  });
});
