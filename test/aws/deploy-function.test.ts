import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serializeIR } from '../../functions/lib/aws/ir-object.js';
import { compile } from '../../shared/lang/index.js';
import { lambdaContext } from '../helpers/lambda-streaming.js';
import { DEPLOY_COVERAGE_ENV } from '../../functions/lib/hot-swap/coverage.js';
import { fakeAws, healthyAnswer, httpAnswer, type FakeAws } from './helpers/fake-lambda.js';
import { functionUrlEvent } from './helpers/lambda-events.js';

const SOURCE = `package "hello" version "0.3.0" lang "2.0"

prompt "system" {
  content "You are a concise assistant."
}

agent "assistant" {
  uses prompt "system"
  model "claude-sonnet-4-20250514"
}
`;

type Handler = (event: unknown, context: unknown) => Promise<{ statusCode: number; body: string }>;
let aws: FakeAws;
let handler: Handler;
const saved = { ...process.env };

beforeAll(async () => {
  aws = fakeAws();
  Object.assign(process.env, {
    AGENTSPEC_IR_BUCKET: 'ir-bucket',
    AGENTSPEC_RUN_FUNCTION: 'run-fn',
    AGENTSPEC_STREAM_FUNCTION: 'stream-fn',
    AWS_REGION: 'us-east-1',
    [DEPLOY_COVERAGE_ENV]: JSON.stringify({ secrets: ['prod/db'], files: ['tools/lookup.mjs'], lambda: {} }),
  });
  handler = (await import('../../functions/deploy.js')).handler as unknown as Handler;
});

afterAll(() => {
  aws.restore();
  process.env = saved;
});

describe('the deploy function (IAM-authenticated Function URL)', () => {
  it('refuses an invalid package with its diagnostics and touches nothing', async () => {
    const res = await handler(
      functionUrlEvent({ path: '/v1/deploy', body: 'package "x" version "1" lang "2.0"\nagent "a" { model 42 }', headers: { 'content-type': 'text/plain' } }),
      lambdaContext(),
    );
    expect(res.statusCode).toBe(400);
    const body = JSON.parse(res.body) as { error: string; details: { diagnostics: { line: number; rendered: string }[] } };
    expect(body.error).toBe('validation_error');
    expect(body.details.diagnostics.length).toBeGreaterThan(0);
    expect(aws.calls).toEqual([]);
  });

  it('compiles a .ias source, hot-swaps it in and reports it live', async () => {
    // Prepare
    const { digest } = serializeIR(compile(SOURCE, { file: 'hello.ias' }).ir!);
    // Act
    const res = await handler(
      functionUrlEvent({ path: '/v1/deploy', query: 'file=hello.ias', body: SOURCE, headers: { 'content-type': 'text/plain' } }),
      lambdaContext(),
    );
    const status = await handler(functionUrlEvent({ path: '/v1/deploy' }), lambdaContext());
    // Assess
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({ digest, version: '2', package: { name: 'hello', version: '0.3.0' } });
    expect(JSON.parse(status.body)).toMatchObject({ digest, version: '2' });
    expect(aws.functions['run-fn']!.alias.version).toBe('2');
    expect(aws.functions['stream-fn']!.alias.version).toBe('2');
  });

  it('rolls back to the previous version', async () => {
    const res = await handler(functionUrlEvent({ path: '/v1/deploy/rollback', method: 'POST' }), lambdaContext());
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({ version: '1', digest: 'old' });
    expect(aws.functions['run-fn']!.alias.version).toBe('1');
  });

  const deploy = (source: string) =>
    handler(functionUrlEvent({ path: '/v1/deploy', body: source, headers: { 'content-type': 'text/plain' } }), lambdaContext());

  it('refuses a package that needs a secret or a file the stack does not cover, naming each, and touches nothing', async () => {
    const calls = aws.calls.length;
    const res = await deploy(`${SOURCE}
secret "other" { store("prod/other") }
server "tools" {
  transport "stdio"
  command "node"
  args ["tools/missing.mjs"]
  exposes skill "lookup"
}
skill "lookup" {
  description "look up"
  tool mcp "tools/lookup"
}
`);
    expect(res.statusCode).toBe(400);
    const body = JSON.parse(res.body) as { error: string; details: { gaps: { kind: string; name: string }[]; needs: string } };
    expect(body.error).toBe('invalid_request');
    expect(body.details.needs).toBe('cdk deploy');
    expect(body.details.gaps.map((g) => [g.kind, g.name])).toEqual([
      ['secret', 'prod/other'],
      ['file', 'tools/missing.mjs'],
    ]);
    expect(aws.calls.length).toBe(calls);
  });

  it('refuses every deploy when the stack set no coverage (fails closed), but still reports the live version', async () => {
    const coverage = process.env[DEPLOY_COVERAGE_ENV];
    delete process.env[DEPLOY_COVERAGE_ENV];
    try {
      const calls = aws.calls.length;
      const res = await deploy(SOURCE.replace('0.3.0', '0.4.0'));
      expect(res.statusCode).toBe(500);
      expect(JSON.parse(res.body)).toMatchObject({ error: 'config_error', details: { variable: DEPLOY_COVERAGE_ENV } });
      expect(aws.calls.length).toBe(calls);
      expect((await handler(functionUrlEvent({ path: '/v1/deploy' }), lambdaContext())).statusCode).toBe(200);
    } finally {
      process.env[DEPLOY_COVERAGE_ENV] = coverage;
    }
  });

  it('keeps the aliases when a new version fails its smoke test, and says which function and status', async () => {
    aws.state.onInvoke = (call) => (call.name === 'stream-fn' ? { payload: httpAnswer(true, 500, { error: 'internal_error' }) } : healthyAnswer(call));
    try {
      const res = await deploy(SOURCE.replace('0.3.0', '0.5.0'));
      expect(res.statusCode).toBe(500);
      expect(JSON.parse(res.body)).toMatchObject({
        error: 'deploy_error',
        details: { step: 'smoke test', smoke: { function: 'stream', status: 500 }, live: false },
      });
      expect(aws.functions['run-fn']!.alias.version).toBe('1');
      expect(aws.functions['stream-fn']!.alias.version).toBe('1');
    } finally {
      aws.state.onInvoke = healthyAnswer;
    }
  });
});
