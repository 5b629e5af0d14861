import { afterEach, describe, expect, it } from 'vitest';
import { HotSwap } from '../../functions/lib/hot-swap/hot-swap.js';
import { irKey, serializeIR } from '../../functions/lib/aws/ir-object.js';
import { fakeAws, healthyAnswer, httpAnswer, irDocument, type FakeAws, type InvokeScript, type Step } from './helpers/fake-lambda.js';

let aws: FakeAws | undefined;
afterEach(() => aws?.restore());

function setup(options: { smokeTimeoutMs?: number } = {}) {
  aws = fakeAws();
  const hotSwap = new HotSwap({
    lambda: aws.lambda,
    s3: aws.s3,
    bucket: 'ir-bucket',
    functions: { run: 'run-fn', stream: 'stream-fn' },
    maxWaitSeconds: 2,
    ...options,
  });
  return { aws, hotSwap };
}

/** Answers Invoke of `fn` with `answer`, and of the other function as a healthy version would. */
const failing =
  (fn: string, answer: InvokeScript): InvokeScript =>
  (call) =>
    call.name === fn ? answer(call) : healthyAnswer(call);

/** What a cdk deploy of a changed template does: CloudFormation's configuration (no hot-swap digest), a new version, the alias moved to it. */
function cdkDeploy(aws: FakeAws, description: 'kept' | 'cleared'): void {
  for (const name of ['run-fn', 'stream-fn']) {
    const f = aws.functions[name]!;
    aws.state.updateFunctionConfiguration(name, { KEEP: 'me', AGENTSPEC_BUNDLED_IR_DIGEST: 'synthesized' });
    const { Version } = aws.state.publishVersion(name);
    aws.state.updateAlias(name, Version, description === 'kept' ? f.alias.description : undefined);
  }
}

describe('HotSwap.deploy', () => {
  it('uploads the IR under its digest, updates, waits, publishes, smoke-tests, then moves both aliases — in that order', async () => {
    // Prepare
    const { aws, hotSwap } = setup();
    const ir = irDocument();
    const { digest, body } = serializeIR(ir);
    // Act
    const result = await hotSwap.deploy(ir);
    // Assess
    expect(aws.calls).toEqual([
      'GetAlias run-fn',
      'GetAlias stream-fn',
      'PutObject',
      'GetFunctionConfiguration run-fn',
      'UpdateFunctionConfiguration run-fn',
      'GetFunction run-fn',
      'PublishVersion run-fn',
      'GetFunctionConfiguration stream-fn',
      'UpdateFunctionConfiguration stream-fn',
      'GetFunction stream-fn',
      'PublishVersion stream-fn',
      'Invoke run-fn',
      'Invoke stream-fn',
      'UpdateAlias run-fn',
      'UpdateAlias stream-fn',
    ]);
    expect(aws.objects.get(irKey(digest))).toBe(body);
    expect(result).toMatchObject({
      digest,
      version: '2',
      functions: { run: { version: '2', previous_version: '1' }, stream: { version: '2', previous_version: '1' } },
    });
    for (const name of ['run-fn', 'stream-fn']) {
      expect(aws.functions[name]!.alias.version).toBe('2');
      // other variables survive the configuration update
      expect(aws.functions[name]!.versions['2']).toEqual({ KEEP: 'me', AGENTSPEC_IR_DIGEST: digest });
    }
  });

  const failingSteps: [Step, number][] = [
    ['GetAlias', 1],
    ['PutObject', 1],
    ['GetFunctionConfiguration', 1],
    ['UpdateFunctionConfiguration', 1],
    ['PublishVersion', 1],
    ['GetFunctionConfiguration', 2],
    ['UpdateFunctionConfiguration', 2],
    ['PublishVersion', 2],
    ['Invoke', 1],
    ['UpdateAlias', 1],
    ['UpdateAlias', 2],
  ];

  it.each(failingSteps)('a failure of %s (call %i) leaves both aliases where they were', async (step, nth) => {
    // Prepare
    const { aws, hotSwap } = setup();
    aws.failAt(step, nth);
    // Act
    const error = await hotSwap.deploy(irDocument()).catch((e: unknown) => e);
    // Assess
    expect(error).toMatchObject({ code: 'deploy_error' });
    expect((error as Error).message).toContain('alias was not moved');
    expect(aws.functions['run-fn']!.alias.version).toBe('1');
    expect(aws.functions['stream-fn']!.alias.version).toBe('1');
    const aliasMoves = aws.calls.filter((c) => c.startsWith('UpdateAlias'));
    if (step !== 'UpdateAlias') expect(aliasMoves).toEqual([]);
    if (step === 'UpdateAlias' && nth === 2) expect(aliasMoves).toEqual(['UpdateAlias run-fn', 'UpdateAlias stream-fn', 'UpdateAlias run-fn']);
  });

  it('gives up when the configuration update does not finish in time, before publishing', async () => {
    const { aws } = setup();
    aws.state.updateStatus = 'InProgress';
    const hotSwap = new HotSwap({ lambda: aws.lambda, s3: aws.s3, bucket: 'ir-bucket', functions: { run: 'run-fn', stream: 'stream-fn' }, maxWaitSeconds: 2 });
    const error = await hotSwap.deploy(irDocument()).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'deploy_error', details: { state: 'TIMEOUT' } });
    expect(aws.calls.filter((c) => /PublishVersion|UpdateAlias/.test(c))).toEqual([]);
    expect(aws.functions['run-fn']!.alias.version).toBe('1');
  });

  it('stops when the configuration update fails and names the reason', async () => {
    const { aws, hotSwap } = setup();
    aws.state.updateStatus = 'Failed';
    const error = await hotSwap.deploy(irDocument()).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'deploy_error', details: { function: 'run-fn', state: 'FAILURE' } });
    expect((error as Error).message).toContain('bad config');
    expect(aws.calls.filter((c) => /PublishVersion|UpdateAlias/.test(c))).toEqual([]);
  });
});

describe('HotSwap.deploy, smoke test of the new versions', () => {
  const unhealthy: [string, string, InvokeScript, Record<string, unknown>][] = [
    ['run', 'answers 500', failing('run-fn', () => ({ payload: httpAnswer(false, 500, { error: 'config_error' }) })), { reason: 'status', status: 500 }],
    [
      'stream',
      'fails in INIT (a function error)',
      failing('stream-fn', () => ({
        payload: JSON.stringify({ errorType: 'Runtime.ImportModuleError', errorMessage: 'the-secret-value-of-a-key in a message' }),
        functionError: 'Unhandled',
      })),
      { reason: 'function_error', error_type: 'Runtime.ImportModuleError' },
    ],
    ['stream', 'streams a 503', failing('stream-fn', () => ({ payload: httpAnswer(true, 503, { error: 'unavailable' }) })), { reason: 'status', status: 503 }],
    [
      'run',
      'serves another IR',
      failing('run-fn', () => ({ payload: httpAnswer(false, 200, { status: 'ok', ir_hash: 'hash-of-something-else' }) })),
      { reason: 'wrong_ir', status: 200 },
    ],
    ['run', 'never answers', failing('run-fn', () => new Promise(() => undefined)), { reason: 'timeout' }],
  ];

  it.each(unhealthy)('a new %s version that %s leaves both aliases where they were and is reported not live', async (role, _what, script, smoke) => {
    // Prepare
    const { aws, hotSwap } = setup({ smokeTimeoutMs: 200 });
    aws.state.onInvoke = script;
    // Act
    const error = await hotSwap.deploy(irDocument('demo', '2.0.0')).catch((e: unknown) => e);
    // Assess
    expect(error).toMatchObject({
      code: 'deploy_error',
      details: {
        step: 'smoke test',
        smoke: { function: role, function_name: `${role}-fn`, version: '2', ...smoke },
        published: { run: '2', stream: '2' },
        live: false,
      },
    });
    expect((error as Error).message).toContain(`version 2 of the ${role} function did not pass its smoke test`);
    expect(JSON.stringify((error as { toJSON(): unknown }).toJSON())).not.toContain('the-secret-value-of-a-key');
    expect(aws.calls.filter((c) => c.startsWith('UpdateAlias'))).toEqual([]);
    expect(aws.functions['run-fn']!.alias.version).toBe('1');
    expect(aws.functions['stream-fn']!.alias.version).toBe('1');
  });

  it('invokes each new version, not the live alias, with a Function URL GET /healthz', async () => {
    const { aws, hotSwap } = setup();
    const seen: { name: string; version: string; event: unknown }[] = [];
    aws.state.onInvoke = (call) => (seen.push({ name: call.name, version: call.version, event: call.event }), healthyAnswer(call));
    await hotSwap.deploy(irDocument('demo', '2.0.0'));
    expect(seen.map((s) => `${s.name}:${s.version}`)).toEqual(['run-fn:2', 'stream-fn:2']);
    expect(seen[0]!.event).toMatchObject({ version: '2.0', rawPath: '/healthz', requestContext: { http: { method: 'GET', path: '/healthz' } } });
  });
});

describe('HotSwap after a cdk deploy moved the aliases', () => {
  it.each(['kept', 'cleared'] as const)(
    'reports the stack version as live, redeploys the hot-swapped package anew and has nothing to roll back (description %s)',
    async (description) => {
      // Prepare: a hot swap to version 2, then a cdk deploy of a changed package publishes 3 and moves the aliases
      const { aws, hotSwap } = setup();
      const swapped = await hotSwap.deploy(irDocument('demo', '2.0.0'));
      cdkDeploy(aws, description);
      // Act
      const status = await hotSwap.status();
      const rollback = await hotSwap.rollback().catch((e: unknown) => e);
      const again = await hotSwap.deploy(irDocument('demo', '2.0.0'));
      // Assess
      expect(status).toMatchObject({
        digest: 'synthesized',
        version: '3',
        hot_swapped: false,
        functions: { run: { version: '3', previous_version: undefined } },
      });
      expect(rollback).toMatchObject({ code: 'invalid_request', message: expect.stringContaining('roll back') as string });
      if (description === 'kept') expect((rollback as Error).message).toContain('moved outside the hot swap (a cdk deploy)');
      expect(again).toMatchObject({ digest: swapped.digest, version: '4', functions: { run: { version: '4', previous_version: '3' } } });
      expect(again.unchanged).toBeUndefined();
      expect(aws.functions['run-fn']!.alias.version).toBe('4');
    },
  );
});

describe('HotSwap.deploy, again and concurrently', () => {
  it('deploying the live package again changes nothing and says so, so a rollback still goes to the package before', async () => {
    const { aws, hotSwap } = setup();
    const first = await hotSwap.deploy(irDocument('demo', '2.0.0'));
    const writes = aws.calls.length;
    const again = await hotSwap.deploy(irDocument('demo', '2.0.0'));
    expect(again).toMatchObject({ unchanged: true, digest: first.digest, version: '2', functions: { run: { version: '2', previous_version: '1' } } });
    expect(aws.calls.slice(writes)).toEqual(['GetAlias run-fn', 'GetAlias stream-fn']);
    await expect(hotSwap.rollback()).resolves.toMatchObject({ version: '1' });
  });

  it('treats a version Lambda did not publish anew (nothing changed) as the live package', async () => {
    const { aws, hotSwap } = setup();
    await hotSwap.deploy(irDocument('demo', '2.0.0'));
    // the aliases lost their notes (moved by hand), but the functions hold this package already
    for (const name of ['run-fn', 'stream-fn']) aws.functions[name]!.alias.description = undefined;
    const again = await hotSwap.deploy(irDocument('demo', '2.0.0'));
    expect(again).toMatchObject({ unchanged: true, version: '2' });
    expect(aws.calls.filter((c) => c.startsWith('UpdateAlias'))).toEqual(['UpdateAlias run-fn', 'UpdateAlias stream-fn']);
  });

  it.each<[Step, number]>([
    ['UpdateFunctionConfiguration', 1],
    ['PublishVersion', 2],
    ['UpdateAlias', 1],
  ])('fails without moving an alias when another deploy writes before %s (call %i)', async (step, nth) => {
    const { aws, hotSwap } = setup();
    aws.concurrentWriteAt(step, nth);
    const error = await hotSwap.deploy(irDocument()).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'deploy_error', details: { concurrent: true } });
    expect((error as Error).message).toContain('another deploy changed the functions');
    expect(aws.functions['run-fn']!.alias.version).toBe('1');
    expect(aws.functions['stream-fn']!.alias.version).toBe('1');
  });
});

describe('HotSwap.status and rollback', () => {
  it('reports the live digest and version, and rolls both aliases back to the previous version', async () => {
    // Prepare
    const { aws, hotSwap } = setup();
    const { digest } = await hotSwap.deploy(irDocument('demo', '2.0.0'));
    // Act
    const live = await hotSwap.status();
    const rolled = await hotSwap.rollback();
    const after = await hotSwap.status();
    // Assess
    expect(live).toMatchObject({ digest, version: '2' });
    expect(rolled).toMatchObject({ digest: 'old', version: '1' });
    expect(after).toMatchObject({ digest: 'old', version: '1' });
    expect(aws.functions['run-fn']!.alias.version).toBe('1');
    expect(aws.functions['stream-fn']!.alias.version).toBe('1');
  });

  it('refuses a rollback when nothing was deployed before', async () => {
    const { aws, hotSwap } = setup();
    await expect(hotSwap.rollback()).rejects.toMatchObject({ code: 'invalid_request' });
    expect(aws.calls.filter((c) => c.startsWith('UpdateAlias'))).toEqual([]);
  });
});
