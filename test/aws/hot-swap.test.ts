import { afterEach, describe, expect, it } from 'vitest';
import { HotSwap } from '../../functions/lib/hot-swap/hot-swap.js';
import { irKey, serializeIR } from '../../functions/lib/aws/ir-object.js';
import { fakeAws, irDocument, type FakeAws, type Step } from './helpers/fake-lambda.js';

let aws: FakeAws | undefined;
afterEach(() => aws?.restore());

function setup() {
  aws = fakeAws();
  const hotSwap = new HotSwap({ lambda: aws.lambda, s3: aws.s3, bucket: 'ir-bucket', functions: { run: 'run-fn', stream: 'stream-fn' }, maxWaitSeconds: 2 });
  return { aws, hotSwap };
}

describe('HotSwap.deploy', () => {
  it('uploads the IR under its digest, updates, waits, publishes, then moves both aliases — in that order', async () => {
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
    aws.updateStatus = 'InProgress';
    const hotSwap = new HotSwap({ lambda: aws.lambda, s3: aws.s3, bucket: 'ir-bucket', functions: { run: 'run-fn', stream: 'stream-fn' }, maxWaitSeconds: 2 });
    const error = await hotSwap.deploy(irDocument()).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'deploy_error', details: { state: 'TIMEOUT' } });
    expect(aws.calls.filter((c) => /PublishVersion|UpdateAlias/.test(c))).toEqual([]);
    expect(aws.functions['run-fn']!.alias.version).toBe('1');
  });

  it('stops when the configuration update fails and names the reason', async () => {
    const { aws, hotSwap } = setup();
    aws.updateStatus = 'Failed';
    const error = await hotSwap.deploy(irDocument()).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'deploy_error', details: { function: 'run-fn', state: 'FAILURE' } });
    expect((error as Error).message).toContain('bad config');
    expect(aws.calls.filter((c) => /PublishVersion|UpdateAlias/.test(c))).toEqual([]);
  });
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
