/**
 * The run and stream functions end to end: real Function URL / API Gateway v2
 * events, the fake Anthropic server, sessions in dynalite, secrets from a
 * mocked Secrets Manager, the IR bundled as a file (or from S3 by digest).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { compile } from '../../shared/lang/index.js';
import { irKey, serializeIR } from '../../functions/lib/aws/ir-object.js';
import type { IRDocument } from '../../shared/ir/types.js';
import { startFakeAnthropic, type FakeAnthropic } from '../helpers/fake-anthropic/index.js';
import { installAwsLambdaGlobal, invokeStreaming, lambdaContext } from '../helpers/lambda-streaming.js';
import { startDynalite, type DynaliteTable } from './helpers/dynalite-table.js';
import { apiGatewayV2Event, functionUrlEvent } from './helpers/lambda-events.js';

const ANTHROPIC_KEY = 'sk-test-from-secrets-manager';
const API_KEY = 'client-key-1';

const PACKAGE = `package "hello" version "0.1.0" lang "2.0"

prompt "system" {
  content "You are a concise assistant."
}

agent "assistant" {
  uses prompt "system"
  model "claude-sonnet-4-20250514"
}
`;

type Handler = (event: unknown, context: unknown) => Promise<{ statusCode: number; headers?: Record<string, string>; body: string }>;

let fake: FakeAnthropic;
let dynamo: DynaliteTable;
let dir: string;
let ir: IRDocument;
let runHandler: Handler;
let streamHandler: unknown;
const secrets = mockClient(SecretsManagerClient);
const saved = { ...process.env };

beforeAll(async () => {
  fake = await startFakeAnthropic();
  dynamo = await startDynalite();
  const table = await dynamo.createTable();
  dir = mkdtempSync(join(tmpdir(), 'agentspec-fn-'));
  ir = compile(PACKAGE, { file: 'hello.ias' }).ir!;
  writeFileSync(join(dir, 'ir.json'), JSON.stringify(ir));
  secrets.on(GetSecretValueCommand, { SecretId: 'arn:anthropic' }).resolves({ SecretString: ANTHROPIC_KEY });
  secrets.on(GetSecretValueCommand, { SecretId: 'arn:api-keys' }).resolves({ SecretString: `${API_KEY}, client-key-2` });
  Object.assign(process.env, {
    ANTHROPIC_BASE_URL: fake.url,
    AGENTSPEC_IR_FILE: join(dir, 'ir.json'),
    AGENTSPEC_SESSIONS_TABLE: table,
    AGENTSPEC_ANTHROPIC_SECRET: 'arn:anthropic',
    AGENTSPEC_API_KEYS_SECRET: 'arn:api-keys',
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
  });
  delete process.env.ANTHROPIC_API_KEY;
  installAwsLambdaGlobal();
  runHandler = (await import('../../functions/run.js')).handler as unknown as Handler;
  streamHandler = (await import('../../functions/stream.js')).handler;
});

afterAll(async () => {
  process.env = saved;
  secrets.restore();
  await fake?.close();
  await dynamo?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The part of an SDK stream body the IR reader uses. */
const sdkBody = (text: string) => ({ transformToString: async () => text }) as never;

const auth = { authorization: `Bearer ${API_KEY}` };

describe('the run function', () => {
  it('answers /healthz through a Function URL event without a key, naming the package and its IR hash', async () => {
    const res = await runHandler(functionUrlEvent({ path: '/healthz' }), lambdaContext());
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body)).toEqual({
      status: 'ok',
      uptime_s: expect.any(Number),
      agents: 1,
      version: '0.1.0',
      package: { name: 'hello', version: '0.1.0' },
      ir_hash: ir.hash,
    });
  });

  it('invokes an agent through an API Gateway v2 event, with the Anthropic key read from Secrets Manager', async () => {
    // Prepare
    fake.script({ text: 'Hello from the fake model.' });
    const before = fake.requests.length;
    // Act
    const res = await runHandler(apiGatewayV2Event({ path: '/v1/agents/assistant/invoke', body: { message: 'hi' }, headers: auth }), lambdaContext());
    // Assess
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({ output: 'Hello from the fake model.', turns: 1 });
    expect(fake.requests[before]!.apiKey).toBe(ANTHROPIC_KEY);
  });

  it('refuses a request without one of the API keys from the secret', async () => {
    const res = await runHandler(
      functionUrlEvent({ path: '/v1/agents/assistant/invoke', body: { message: 'hi' }, headers: { authorization: 'Bearer wrong' } }),
      lambdaContext(),
    );
    expect(res.statusCode).toBe(401);
    expect(JSON.parse(res.body)).toMatchObject({ error: 'unauthorized' });
  });

  it('keeps sessions in DynamoDB across invocations', async () => {
    // Prepare
    fake.script({ text: 'first answer' });
    const created = await runHandler(functionUrlEvent({ path: '/v1/agents/assistant/sessions', body: {}, headers: auth }), lambdaContext());
    const { session_id } = JSON.parse(created.body) as { session_id: string };
    // Act
    await runHandler(
      functionUrlEvent({ path: `/v1/agents/assistant/sessions/${session_id}`, body: { message: 'remember me' }, headers: auth }),
      lambdaContext(),
    );
    const read = await runHandler(functionUrlEvent({ path: `/v1/agents/assistant/sessions/${session_id}`, headers: auth }), lambdaContext());
    // Assess
    expect(created.statusCode).toBe(201);
    expect(read.body).toContain('remember me');
    expect(read.body).toContain('first answer');
  });

  it('builds the runtime once per environment: secrets are read once across warm invocations', () => {
    const calls = secrets.commandCalls(GetSecretValueCommand).map((c) => c.args[0].input.SecretId);
    // run and stream are two environments in this process: each reads each secret once
    expect(calls.filter((id) => id === 'arn:anthropic')).toHaveLength(2);
    expect(calls.filter((id) => id === 'arn:api-keys')).toHaveLength(2);
  });
});

describe('the stream function', () => {
  it('streams SSE events through response streaming as they are produced', async () => {
    // Prepare: five text deltas 60 ms apart
    fake.script({ text: ['one ', 'two ', 'three ', 'four ', 'five'], chunkDelayMs: 60 });
    // Act
    const res = await invokeStreaming(streamHandler, functionUrlEvent({ path: '/v1/agents/assistant/stream', body: { message: 'count' }, headers: auth }));
    // Assess
    expect(res.metadata.statusCode).toBe(200);
    expect(res.metadata.headers?.['content-type']).toMatch(/text\/event-stream/);
    expect(res.body).toMatch(/event: text\n/);
    expect(res.body).toMatch(/event: done\n/);
    const textChunks = res.chunks.filter((c) => c.data.toString().includes('event: text'));
    expect(textChunks.length).toBeGreaterThanOrEqual(3);
    expect(textChunks.at(-1)!.at - textChunks[0]!.at).toBeGreaterThan(120);
  });

  it('cancels the model request when the client disconnects', async () => {
    // Prepare: a long, slow answer
    fake.script({ text: Array.from({ length: 40 }, (_, i) => `w${i} `), chunkDelayMs: 50 });
    const aborted = fake.nextAbort();
    // Act
    const res = await invokeStreaming(streamHandler, functionUrlEvent({ path: '/v1/agents/assistant/stream', body: { message: 'long' }, headers: auth }), {
      disconnectWhen: (body) => body.includes('event: text'),
    });
    // Assess
    await expect(Promise.race([aborted.then(() => 'aborted'), new Promise((r) => setTimeout(() => r('still running'), 1500))])).resolves.toBe('aborted');
    expect(res.body).not.toContain('event: done');
  });

  it('answers an unauthenticated stream with 401 in the prelude', async () => {
    const res = await invokeStreaming(streamHandler, functionUrlEvent({ path: '/v1/agents/assistant/stream', body: { message: 'x' } }));
    expect(res.metadata.statusCode).toBe(401);
  });
});

describe('the execution environment after a hot-swap', () => {
  it('loads the IR named by AGENTSPEC_IR_DIGEST from S3 instead of the bundled one', async () => {
    // Prepare
    const swapped = compile(PACKAGE.replace('"hello" version "0.1.0"', '"hello" version "0.2.0"'), { file: 'hello.ias' }).ir!;
    const { body, digest } = serializeIR(swapped);
    const s3 = mockClient(S3Client);
    s3.on(GetObjectCommand, { Bucket: 'irs', Key: irKey(digest) }).resolves({ Body: sdkBody(body) });
    const { createRuntimeEnvironment } = await import('../../functions/lib/environment.js');
    // Act
    const env = await createRuntimeEnvironment({ ...process.env, AGENTSPEC_IR_BUCKET: 'irs', AGENTSPEC_IR_DIGEST: digest, AGENTSPEC_SESSIONS_TABLE: '' });
    // Assess
    expect(env.runtime.ir.package.version).toBe('0.2.0');
    expect(env.digest).toBe(digest);
    await env.runtime.close();
    s3.restore();
  });

  it('validates a bundled IR whose bytes do not match the recorded digest', async () => {
    const bad = join(dir, 'bad-ir.json');
    writeFileSync(bad, JSON.stringify({ not: 'an IR' }));
    const { createRuntimeEnvironment } = await import('../../functions/lib/environment.js');
    const env = { ...process.env, AGENTSPEC_IR_FILE: bad, AGENTSPEC_SESSIONS_TABLE: '' };
    await expect(createRuntimeEnvironment({ ...env, AGENTSPEC_BUNDLED_IR_DIGEST: 'f'.repeat(64) })).rejects.toMatchObject({ code: 'invalid_request' });
    await expect(createRuntimeEnvironment(env)).rejects.toMatchObject({ code: 'invalid_request' });
  });

  it('loads a bundled IR that matches the digest recorded at synth', async () => {
    const { serializeIR: serialize } = await import('../../functions/lib/aws/ir-object.js');
    const { createRuntimeEnvironment } = await import('../../functions/lib/environment.js');
    const env = await createRuntimeEnvironment({ ...process.env, AGENTSPEC_BUNDLED_IR_DIGEST: serialize(ir).digest, AGENTSPEC_SESSIONS_TABLE: '' });
    expect(env.runtime.ir).toEqual(ir);
    await env.runtime.close();
  });

  it('refuses an S3 object whose bytes do not match the digest', async () => {
    const s3 = mockClient(S3Client);
    s3.on(GetObjectCommand).resolves({ Body: sdkBody(JSON.stringify(ir)) });
    const { createRuntimeEnvironment } = await import('../../functions/lib/environment.js');
    await expect(createRuntimeEnvironment({ ...process.env, AGENTSPEC_IR_BUCKET: 'irs', AGENTSPEC_IR_DIGEST: 'f'.repeat(64) })).rejects.toMatchObject({
      code: 'config_error',
    });
    s3.restore();
  });
});

describe('the execution environment INIT', () => {
  it('fails with an error naming the Anthropic secret when it cannot be read, and the next attempt can succeed', async () => {
    // Prepare
    secrets
      .on(GetSecretValueCommand, { SecretId: 'arn:not-yet' })
      .rejectsOnce(Object.assign(new Error("Secrets Manager can't find the specified secret."), { name: 'ResourceNotFoundException' }))
      .resolves({ SecretString: 'sk-set-later' });
    const { createRuntimeEnvironment } = await import('../../functions/lib/environment.js');
    const env = { ...process.env, AGENTSPEC_ANTHROPIC_SECRET: 'arn:not-yet', AGENTSPEC_SESSIONS_TABLE: '' };
    // Act
    const failed = createRuntimeEnvironment(env);
    // Assess
    await expect(failed).rejects.toMatchObject({ code: 'config_error', message: expect.stringContaining('arn:not-yet') });
    const built = await createRuntimeEnvironment(env);
    expect(process.env.ANTHROPIC_API_KEY).toBe('sk-set-later');
    await built.runtime.close();
  });
});
