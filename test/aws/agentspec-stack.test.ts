import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { PARAMS_AND_SECRETS_VERSION } from '../../infra/agentspec-stack.js';
import { buildAgentSpecApp, createCdkApp } from '../../infra/build-app.js';
import type { PackageSource } from '../../infra/package-source.js';

const projectRoot = resolve(import.meta.dirname, '../..');
let outdir: string;
let template: Template;
let json: string;
let source: PackageSource;
let synthError: unknown;

type Resource = { Type: string; Properties: Record<string, unknown>; Metadata?: Record<string, unknown> };
const resources = (type: string): [string, Resource][] =>
  Object.entries(template.toJSON().Resources as Record<string, Resource>).filter(([, r]) => r.Type === type);
const logicalId = (type: string, pathPart: string): string => {
  const found = resources(type).find(([id]) => id.startsWith(pathPart));
  if (!found) throw new Error(`no ${type} ${pathPart}`);
  return found[0];
};
/** The functions that serve the package (run, stream, deploy): not its sandbox functions. */
const served = () => resources('AWS::Lambda::Function').filter(([id]) => !id.startsWith('Sandbox'));

// Synth bundles three functions with esbuild: do it once for the file.
beforeAll(() => {
  outdir = mkdtempSync(join(tmpdir(), 'agentspec-cdk-'));
  const app = createCdkApp({ outdir, context: { package: 'examples/support/agents.ias' } });
  const built = buildAgentSpecApp(app, { projectRoot, irOutDir: join(outdir, 'agentspec') });
  source = built.source;
  try {
    app.synth();
  } catch (error) {
    synthError = error;
  }
  template = Template.fromStack(built.stack);
  json = JSON.stringify(template.toJSON());
});

afterAll(() => {
  if (outdir) rmSync(outdir, { recursive: true, force: true });
});

describe('the AgentSpec CDK stack', () => {
  it('passes cdk-nag AwsSolutions checks with every acknowledgement carrying a reason', () => {
    expect(synthError).toBeUndefined();
    const reportFile = join(outdir, 'validation-report.json');
    if (existsSync(reportFile)) {
      const report = JSON.parse(readFileSync(reportFile, 'utf8')) as { pluginReports: { violations: { severity: string }[] }[] };
      expect(report.pluginReports.flatMap((p) => p.violations).filter((v) => v.severity === 'error')).toEqual([]);
    }
  });

  it('runs the three functions as bundled ESM on Node 22, arm64, from the package deploy block', () => {
    const fns = resources('AWS::Lambda::Function');
    // the support example's inline Python tool adds its sandbox function (test/aws/sandbox-stack.test.ts)
    expect(fns.map(([id]) => id.replace(/[0-9A-F]{8}$/, '')).sort()).toEqual(['DeployFunction', 'RunFunction', 'SandboxPythonFunction', 'StreamFunction']);
    for (const [, fn] of served()) {
      expect(fn.Properties).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['arm64'], Handler: 'index.handler' });
    }
    // examples/support/agents.ias: deploy "aws" target "lambda" { memory "1024Mi" timeout "300s" }
    expect(source.lambda).toEqual({ memoryMb: 1024, timeoutSeconds: 300, architecture: 'arm64', auth: 'api-key' });
    template.hasResourceProperties('AWS::Lambda::Function', { Description: Match.stringLikeRegexp(': run$'), MemorySize: 1024, Timeout: 300 });
    expect(source.region).toBe('eu-west-1');
  });

  it('bundles minified ESM with source maps, the IR beside the code, and @aws-sdk left to the runtime', () => {
    const assets = readFileSync(join(outdir, 'AgentSpec-support.assets.json'), 'utf8');
    const dirs = [...assets.matchAll(/"path": "(asset\.[0-9a-f]+)"/g)].map((m) => m[1]!).filter((d) => existsSync(join(outdir, d, 'index.mjs')));
    expect(dirs.length).toBeGreaterThanOrEqual(3);
    for (const dir of dirs) {
      const handler = readFileSync(join(outdir, dir, 'index.mjs'), 'utf8');
      // the afterBundling rebuild: lazily used parts in chunks/ beside the handler, each with its map
      const chunkDir = join(outdir, dir, 'chunks');
      const chunks = readdirSync(chunkDir).filter((f) => f.endsWith('.mjs'));
      expect(chunks.length).toBeGreaterThan(0);
      for (const chunk of chunks) expect(existsSync(join(chunkDir, `${chunk}.map`))).toBe(true);
      expect(handler).toMatch(/import\("\.\/chunks\//);
      const code = [handler, ...chunks.map((f) => readFileSync(join(chunkDir, f), 'utf8'))].join('\n');
      expect(existsSync(join(outdir, dir, 'index.mjs.map'))).toBe(true);
      // minified: very long lines (the few line breaks left are inside template literals)
      expect(handler.length / handler.split('\n').length).toBeGreaterThan(1000);
      expect(handler).toMatch(/createRequire/);
      // left to the runtime: imported by name (statically or lazily), never inlined
      expect(code).toMatch(/(from\s*|import\()"@aws-sdk\/client-/);
      expect(code).not.toMatch(/class DynamoDBClient|class S3Client/);
      // the same esbuild settings as scripts/build-functions.mjs: ajv replaced by its stub, so each function's code stays under 1 MiB (lazy chunks included)
      expect(code).not.toMatch(/ajv\.js\.org|strictSchema/);
      expect(Buffer.byteLength(code)).toBeLessThan(1024 * 1024);
    }
    const withIr = dirs.filter((d) => existsSync(join(outdir, d, 'ir.json')));
    expect(withIr.length).toBeGreaterThanOrEqual(2);
    expect(JSON.parse(readFileSync(join(outdir, withIr[0]!, 'ir.json'), 'utf8'))).toEqual(source.ir);
  });

  it('starts the functions without source-mapped stack traces unless -c sourceMaps=true asks (they cost cold-start time)', () => {
    // Prepare
    const mappedOut = mkdtempSync(join(tmpdir(), 'agentspec-cdk-maps-'));
    const variables = (t: Template) =>
      Object.values(t.toJSON().Resources as Record<string, Resource>)
        .filter((r) => r.Type === 'AWS::Lambda::Function' && r.Properties.Environment !== undefined)
        .map((r) => (r.Properties.Environment as { Variables: Record<string, string> }).Variables);
    try {
      // Act
      const app = createCdkApp({ outdir: mappedOut, context: { package: 'examples/support/agents.ias', sourceMaps: 'true' } });
      const mapped = Template.fromStack(buildAgentSpecApp(app, { projectRoot, irOutDir: join(mappedOut, 'agentspec') }).stack);
      // Assess
      expect(variables(template).map((v) => v.NODE_OPTIONS)).toEqual([undefined, undefined, undefined]);
      expect(variables(mapped).map((v) => v.NODE_OPTIONS)).toEqual(['--enable-source-maps', '--enable-source-maps', '--enable-source-maps']);
    } finally {
      rmSync(mappedOut, { recursive: true, force: true });
    }
    // a second synth bundles the three functions again, which takes as long as the first (beforeAll's budget)
  }, 120_000);

  it('points a live alias of run and stream at the published version, and the URLs at the alias', () => {
    const aliases = resources('AWS::Lambda::Alias');
    expect(aliases.map(([, a]) => a.Properties.Name)).toEqual(['live', 'live']);
    const urls = resources('AWS::Lambda::Url');
    const streamUrl = urls.find(([, u]) => u.Properties.InvokeMode === 'RESPONSE_STREAM');
    expect(streamUrl?.[1].Properties).toMatchObject({
      AuthType: 'NONE',
      Qualifier: 'live',
      TargetFunctionArn: { 'Fn::GetAtt': [logicalId('AWS::Lambda::Function', 'StreamFunction'), 'Arn'] },
    });
    const runUrl = urls.find(([, u]) => u.Properties.InvokeMode === 'BUFFERED');
    expect(runUrl?.[1].Properties).toMatchObject({ AuthType: 'NONE', Qualifier: 'live' });
    const deployUrl = urls.find(([, u]) => u.Properties.AuthType === 'AWS_IAM');
    expect(deployUrl?.[1].Properties).toMatchObject({ TargetFunctionArn: { 'Fn::GetAtt': [logicalId('AWS::Lambda::Function', 'DeployFunction'), 'Arn'] } });
    expect(deployUrl?.[1].Properties.Qualifier).toBeUndefined();
  });

  it('keeps sessions in an on-demand table with TTL and point-in-time recovery', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      TimeToLiveSpecification: { AttributeName: 'expires_at', Enabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: Match.anyValue(),
    });
  });

  it('stores IRs in an encrypted, versioned, private bucket that refuses plain HTTP', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      VersioningConfiguration: { Status: 'Enabled' },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });

  it('creates the secrets with generated placeholders and never puts a secret value in the template', () => {
    const secrets = resources('AWS::SecretsManager::Secret');
    expect(secrets).toHaveLength(2);
    for (const [, s] of secrets) {
      expect(s.Properties.GenerateSecretString).toBeDefined();
      expect(s.Properties.SecretString).toBeUndefined();
    }
    expect(json).not.toMatch(/sk-ant-/);
    expect(json).not.toMatch(/ANTHROPIC_API_KEY"\s*:/);
    for (const [, fn] of served()) {
      const vars = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
      expect(Object.keys(vars).filter((k) => /KEY|TOKEN|PASSWORD/i.test(k) && !k.endsWith('_SECRET'))).toEqual([]);
    }
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ AGENTSPEC_ANTHROPIC_SECRET: { Ref: logicalId('AWS::SecretsManager::Secret', 'AnthropicApiKey') } }) },
    });
  });

  it('gives run and stream the Parameters and Secrets extension to read the key at INIT without the SDK; deploy reads no secret', () => {
    // the layer AWS publishes for the stack's region (eu-west-1) and the functions' architecture
    const layer = RegionInfo.get('eu-west-1').paramsAndSecretsLambdaLayerArn(PARAMS_AND_SECRETS_VERSION, 'arm64');
    expect(layer).toMatch(/^arn:aws:lambda:eu-west-1:\d+:layer:AWS-Parameters-and-Secrets-Lambda-Extension-Arm64:\d+$/);
    for (const role of ['run', 'stream']) {
      template.hasResourceProperties('AWS::Lambda::Function', {
        Description: Match.stringLikeRegexp(`: ${role}$`),
        Layers: [layer],
        Environment: {
          Variables: Match.objectLike({
            PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: '2773',
            PARAMETERS_SECRETS_EXTENSION_LOG_LEVEL: 'warn',
            SECRETS_MANAGER_TTL: '300',
          }),
        },
      });
    }
    const [, deploy] = resources('AWS::Lambda::Function').find(([id]) => id.startsWith('DeployFunction'))!;
    expect(deploy.Properties.Layers).toBeUndefined();
  });

  it('grants least privilege: run/stream read the secrets, IRs and table; deploy writes IRs and moves only the two functions', () => {
    const policies = resources('AWS::IAM::Policy');
    const statementsOf = (fnPrefix: string) => {
      const policy = policies.find(([id]) => id.startsWith(`${fnPrefix}ServiceRoleDefaultPolicy`));
      return JSON.stringify(policy?.[1].Properties.PolicyDocument);
    };
    const run = statementsOf('RunFunction');
    expect(run).toContain('secretsmanager:GetSecretValue');
    expect(run).toContain('"s3:GetObject"');
    expect(run).toContain('dynamodb:PutItem');
    expect(run).not.toContain('s3:PutObject');
    // run may invoke only the sandbox functions
    expect(run).not.toMatch(/lambda:(?!InvokeFunction")/);
    expect(run).toContain(logicalId('AWS::Lambda::Function', 'SandboxPythonFunction'));
    const deploy = statementsOf('DeployFunction');
    expect(deploy).toContain('"s3:PutObject"');
    expect(deploy).not.toContain('secretsmanager');
    expect(deploy).not.toContain('dynamodb');
    expect(deploy).toContain('lambda:UpdateAlias');
    expect(deploy).toContain('lambda:PublishVersion');
    expect(deploy).not.toMatch(/"Resource":"\*"/);
    expect(JSON.stringify(policies)).not.toMatch(/"Action":"\*"|"s3:\*"|"lambda:\*"|"dynamodb:\*"/);
    // the deploy function's lambda permissions name only the run and stream functions
    const lambdaStatement = (JSON.parse(deploy) as { Statement: { Action: unknown; Resource: unknown }[] }).Statement.find((s) =>
      JSON.stringify(s.Action).includes('lambda:UpdateAlias'),
    )!;
    const named = JSON.stringify(lambdaStatement.Resource);
    expect(named).toContain(logicalId('AWS::Lambda::Function', 'RunFunction'));
    expect(named).toContain(logicalId('AWS::Lambda::Function', 'StreamFunction'));
    expect(named).not.toContain(logicalId('AWS::Lambda::Function', 'DeployFunction'));
    // and it may invoke only their versions: the smoke test before an alias moves
    const invoke = (JSON.parse(deploy) as { Statement: { Sid?: string; Action: unknown; Resource: unknown }[] }).Statement.find(
      (s) => s.Sid === 'SmokeTestNewVersions',
    );
    expect(invoke?.Action).toBe('lambda:InvokeFunction');
    expect(JSON.stringify(invoke?.Resource)).toMatch(
      new RegExp(`${logicalId('AWS::Lambda::Function', 'RunFunction')}.*:\\*.*${logicalId('AWS::Lambda::Function', 'StreamFunction')}.*:\\*`),
    );
  });

  it('tells the deploy function what the synthesized IAM and assets cover, so a hot-swap needing more is refused', () => {
    const deploy = served().find(([id]) => id.startsWith('DeployFunction'))!;
    const vars = (deploy[1].Properties.Environment as { Variables: Record<string, string> }).Variables;
    // the support example: its bundled order server, no store secret, the python sandbox sized for its 5 s / 128Mi tool
    expect(JSON.parse(vars.AGENTSPEC_DEPLOY_COVERAGE!)).toEqual({
      secrets: [],
      files: ['orders-server.mjs'],
      sandboxes: { python: { timeout_ms: 5000, memory_bytes: 128 * 2 ** 20 } },
      lambda: { block: 'aws', region: 'eu-west-1', memory_bytes: 1024 * 2 ** 20, timeout_ms: 300_000 },
      model_keys: ['ANTHROPIC_API_KEY'],
    });
  });

  it('runs one hot-swap at a time: the deploy function has a reserved concurrency of 1, run and stream none', () => {
    const reserved = resources('AWS::Lambda::Function').map(([id, r]) => [id.replace(/[0-9A-F]{8}$/, ''), r.Properties.ReservedConcurrentExecutions]);
    expect(Object.fromEntries(reserved)).toEqual({ RunFunction: undefined, StreamFunction: undefined, DeployFunction: 1 });
  });

  it('keeps logs for a month and alarms on errors, throttles and handled 5xx answers of each function', () => {
    expect(resources('AWS::Logs::LogGroup').map(([, g]) => g.Properties.RetentionInDays)).toEqual([30, 30, 30, 30]);
    const alarms = resources('AWS::CloudWatch::Alarm').map(([, a]) => a.Properties);
    const names = alarms.map((a) => a.MetricName);
    // run, stream, deploy and the python sandbox function
    expect(names.filter((m) => m === 'Errors')).toHaveLength(4);
    expect(names.filter((m) => m === 'Throttles')).toHaveLength(4);
    expect(names.filter((m) => typeof m === 'string' && m.endsWith('ServerErrors')).sort()).toEqual([
      'DeployServerErrors',
      'RunServerErrors',
      'StreamServerErrors',
    ]);
    // the app's JSON request log line with a 5xx status: also how a failed INIT shows (it answers 500/503)
    const filters = resources('AWS::Logs::MetricFilter').map(([, f]) => f.Properties.FilterPattern);
    expect(filters).toEqual(Array(3).fill('{ ($.msg = "request") && ($.status >= 500) }'));
    // no topic given: the alarms notify nobody
    expect(alarms.every((a) => a.AlarmActions === undefined)).toBe(true);
  });

  it('outputs the endpoints', () => {
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(Object.keys(outputs)).toEqual(
      expect.arrayContaining(['RunEndpoint', 'StreamEndpoint', 'DeployEndpoint', 'SessionsTable', 'IRBucket', 'AnthropicKeySecret']),
    );
    expect(JSON.stringify(outputs.StreamEndpoint!.Value)).toContain('FunctionUrl');
  });
});

describe('the stack of a lambda block with auth "iam", a reserved concurrency and an alarm topic', () => {
  const TOPIC = 'arn:aws:sns:us-east-1:123456789012:ops';
  let iamTemplate: Template;
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'agentspec-cdk-iam-'));
    const file = join(dir, 'agents.ias');
    writeFileSync(
      file,
      `package "locked" version "1.0.0" lang "2.0"\nagent "solo" {\n  model "claude-haiku-4-5"\n}\ndeploy "aws" target "lambda" {\n  auth "iam"\n  reserved_concurrency 25\n  alarm_topic "${TOPIC}"\n}\n`,
    );
    const app = createCdkApp({ outdir: join(dir, 'out') });
    const built = buildAgentSpecApp(app, { projectRoot, irOutDir: join(dir, 'out', 'agentspec'), packagePath: file });
    app.synth();
    iamTemplate = Template.fromStack(built.stack);
  }, 300_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('puts the run and stream URLs behind IAM (SigV4) and creates no API keys secret', () => {
    const urls = Object.values(iamTemplate.findResources('AWS::Lambda::Url')).map((u) => (u as Resource).Properties.AuthType);
    expect(urls).toEqual(['AWS_IAM', 'AWS_IAM', 'AWS_IAM']);
    expect(Object.keys(iamTemplate.findResources('AWS::SecretsManager::Secret')).map((id) => id.replace(/[0-9A-F]{8}$/, ''))).toEqual(['AnthropicApiKey']);
    const run = Object.entries(iamTemplate.findResources('AWS::Lambda::Function')).find(([id]) => id.startsWith('RunFunction'))![1] as Resource;
    const variables = (run.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(variables.AGENTSPEC_AUTH).toBe('iam');
    expect(variables.AGENTSPEC_API_KEYS_SECRET).toBeUndefined();
  });

  it('reserves the concurrency of run and stream, and the alarms notify the topic', () => {
    const reserved = Object.entries(iamTemplate.findResources('AWS::Lambda::Function')).map(([id, r]) => [
      id.replace(/[0-9A-F]{8}$/, ''),
      (r as Resource).Properties.ReservedConcurrentExecutions,
    ]);
    expect(Object.fromEntries(reserved)).toEqual({ RunFunction: 25, StreamFunction: 25, DeployFunction: 1 });
    const actions = Object.values(iamTemplate.findResources('AWS::CloudWatch::Alarm')).map((a) => (a as Resource).Properties.AlarmActions);
    expect(actions).toHaveLength(9);
    expect(actions.every((a) => JSON.stringify(a) === JSON.stringify([TOPIC]))).toBe(true);
  });
});
