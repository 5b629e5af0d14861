import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serializeIR } from '../../functions/lib/aws/ir-object.js';
import { compile } from '../../shared/lang/index.js';
import { lambdaContext } from '../helpers/lambda-streaming.js';
import { fakeAws, type FakeAws } from './helpers/fake-lambda.js';
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
});
