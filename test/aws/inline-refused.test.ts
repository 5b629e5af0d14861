/**
 * Inline code never runs in the run function's process on AWS Lambda, where
 * there are no namespaces to isolate it: the call is refused (even with the
 * unsafe opt-out set), `/healthz` says so, the model sees the refusal, and no
 * interpreter is ever started.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inlineCalcStatements } from '../helpers/inline-calc.js';
import { compile } from '../../shared/lang/index.js';
import { startFakeAnthropic, type FakeAnthropic } from '../helpers/fake-anthropic/index.js';
import { installAwsLambdaGlobal, lambdaContext } from '../helpers/lambda-streaming.js';
import { commandLine, descendants } from '../sandbox/sandbox-fixtures.js';
import { functionUrlEvent } from './helpers/lambda-events.js';

const PACKAGE = `package "calc" version "0.1.0" lang "2.0"

${inlineCalcStatements()}`;

type Handler = (event: unknown, context: unknown) => Promise<{ statusCode: number; body: string }>;

let fake: FakeAnthropic;
let dir: string;
let runHandler: Handler;
const saved = { ...process.env };

beforeAll(async () => {
  fake = await startFakeAnthropic();
  dir = mkdtempSync(join(tmpdir(), 'agentspec-fn-inline-'));
  writeFileSync(join(dir, 'ir.json'), JSON.stringify(compile(PACKAGE, { file: 'calc.ias' }).ir));
  Object.assign(process.env, {
    AWS_LAMBDA_FUNCTION_NAME: 'agentspec-run',
    AGENTSPEC_UNSAFE_INLINE_CODE: '1',
    ANTHROPIC_BASE_URL: fake.url,
    ANTHROPIC_API_KEY: 'sk-test',
    AGENTSPEC_IR_FILE: join(dir, 'ir.json'),
    AGENTSPEC_API_KEYS: 'client-key',
    AWS_REGION: 'us-east-1',
  });
  installAwsLambdaGlobal();
  runHandler = (await import('../../functions/run.js')).handler as unknown as Handler;
});

afterAll(async () => {
  process.env = saved;
  await fake?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the run function with an inline tool', () => {
  it('refuses the inline call, says so in /healthz, and never starts an interpreter', async () => {
    // Prepare
    fake.script({ toolUses: [{ name: 'double', input: { n: 21 } }] }, { text: 'The tool was refused.' });
    const headers = { authorization: 'Bearer client-key' };
    // Act
    const invoked = await runHandler(functionUrlEvent({ path: '/v1/agents/calc/invoke', body: { message: 'double 21' }, headers }), lambdaContext());
    const health = await runHandler(functionUrlEvent({ path: '/healthz' }), lambdaContext());
    // Assess
    expect(invoked.statusCode).toBe(200);
    expect(JSON.parse(invoked.body)).toMatchObject({
      output: 'The tool was refused.',
      tool_calls: [expect.objectContaining({ name: 'double', status: 'error', error: expect.stringContaining('AWS Lambda forbids them') })],
    });
    expect(JSON.parse(health.body)).toMatchObject({ inline_code: { mode: 'refused', missing: [expect.stringContaining('AWS Lambda')] } });
    expect(
      descendants(process.pid)
        .map(commandLine)
        .filter((line) => line.includes('python') || line.includes('bwrap')),
    ).toEqual([]);
  });
});
