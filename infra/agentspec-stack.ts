/**
 * One package's agents on AWS Lambda: run (JSON routes), stream (SSE through
 * response streaming) and deploy (hot-swap, IAM-only), the sessions table,
 * the IR bucket, the secrets, alarms and the endpoints as outputs; and, when
 * the package has inline tools, a sandbox function per language they use
 * (a role that grants nothing, no environment), which only run and stream may invoke.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ArnFormat, CfnElement, CfnOutput, Duration, RemovalPolicy, Stack, Token, Validations, type StackProps } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData, type IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import {
  Alias,
  Architecture,
  Code,
  Function as LambdaFunction,
  FunctionUrlAuthType,
  InvokeMode,
  ParamsAndSecretsLayerVersion,
  ParamsAndSecretsLogLevel,
  ParamsAndSecretsVersions,
  Runtime,
  type IFunction,
  type IVersion,
} from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { FilterPattern, LogGroup, MetricFilter, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { BlockPublicAccess, Bucket, BucketEncryption } from 'aws-cdk-lib/aws-s3';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import type { Construct } from 'constructs';
import { BUNDLED_IR_FILE, BUNDLED_PACKAGE_DIR, functionBundling, shippedPackageFiles } from './bundling.js';
import { functionNodeOptions } from '../scripts/build-functions.mjs';
import { DEPLOY_COVERAGE_ENV, deployCoverage } from '../functions/lib/hot-swap/coverage.js';
import { modelEndpointEnv, modelKeySecretEnv, ollamaAgents, stackModelKeys } from '../functions/lib/aws/model-keys.js';
import { SANDBOX_FUNCTION_ENV, type SandboxLanguage } from '../functions/lib/sandbox/wire.js';
import { stackUserKeys, USER_KEY_SECRETS_ENV, userKeyLabel } from '../functions/lib/aws/user-keys.js';
import { AgentSpecError, ErrorCode } from '../shared/errors.js';
import { resourcesOf, type IRDeploy, type IRDocument, type LambdaAuth } from '../shared/ir/types.js';

/** The Lambda settings a package's `deploy … target "lambda"` block may set. */
export interface LambdaSettings {
  memoryMb: number;
  timeoutSeconds: number;
  architecture: 'arm64' | 'x86_64';
  /** how the run and stream URLs authenticate: the API keys checked by the app, or SigV4 at the Function URL */
  auth: LambdaAuth;
  /** reserved concurrency of run and of stream (none by default: see docs/aws.md) */
  reservedConcurrency?: number | undefined;
  /** SNS topic ARN the alarms notify */
  alarmTopic?: string | undefined;
}

export interface AgentSpecStackProps extends StackProps {
  /** package name, for descriptions */
  packageName: string;
  /** absolute path of the IR JSON written at synth time (bundled into run and stream) */
  irFile: string;
  /** SHA-256 of that file's bytes */
  irDigest: string;
  /** absolute path of the package folder (the files its IR references are shipped, servers bundled: local/package/package-assets.ts) */
  packageDir?: string;
  /** absolute path of the project (entry files, lock file) */
  projectRoot: string;
  lambda: LambdaSettings;
  /** `store("…")` secret names the functions may read (Secrets Manager) */
  storeSecrets?: string[];
  /** the lambda deploy block the settings come from: a hot-swap that changes it is refused (it needs a cdk deploy) */
  deployBlock?: IRDeploy | undefined;
  /** days of CloudWatch Logs retention */
  logRetention?: RetentionDays;
  /** source-mapped stack traces in the functions' logs (costs ~20 ms per cold start; off by default) */
  sourceMaps?: boolean;
}

export const LIVE_ALIAS = 'live';

/** How a model key's secret, its output and its descriptions are named: `OpenAIApiKey`, `OpenAIKeySecret`, "OpenAI API key". */
const KEY_LABELS: Readonly<Record<string, string>> = { ANTHROPIC_API_KEY: 'Anthropic', OPENAI_API_KEY: 'OpenAI' };
const labelOf = (variable: string): string => KEY_LABELS[variable] ?? capitalise(variable.replace(/_API_KEY$/, '').toLowerCase());

/** The secret holding one model key, and the variable it fills in the functions. */
interface ModelKeySecret {
  variable: string;
  label: string;
  secret: Secret;
}

/** A sandbox function and the largest tool limits it serves. */
interface SandboxFunction {
  language: SandboxLanguage;
  fn: IFunction;
  limits: { timeout_ms: number; memory_bytes: number };
}

/** Lambda allows 4 KB for all of a function's environment variables. */
const MAX_COVERAGE_BYTES = 3000;

/** The deploy function's coverage variable; synth fails when it would not fit the function's environment. */
function deployCoverageValue(input: Parameters<typeof deployCoverage>[0]): string {
  const value = JSON.stringify(deployCoverage(input));
  if (Buffer.byteLength(value) > MAX_COVERAGE_BYTES)
    throw new Error(
      `The package references too many files or secrets for the deploy function's environment (${Buffer.byteLength(value)} bytes of coverage, at most ${MAX_COVERAGE_BYTES}): group its files in a folder.`,
    );
  return value;
}

/** Seconds a sandbox function runs beyond its longest tool timeout: start-up, and killing and cleaning up after a timed-out call. */
const SANDBOX_TIMEOUT_MARGIN_S = 5;
/** Megabytes a sandbox function has beyond its largest tool memory: the handler's own process and the interpreter's baseline. */
const SANDBOX_MEMORY_HEADROOM_MB = 128;

/** The AWS Parameters and Secrets Lambda Extension release the functions use. */
export const PARAMS_AND_SECRETS_VERSION = ParamsAndSecretsVersions.V1_0_103;

/** The AgentSpec serverless stack. */
export class AgentSpecStack extends Stack {
  constructor(scope: Construct, id: string, props: AgentSpecStackProps) {
    super(scope, id, props);
    const architecture = props.lambda.architecture === 'x86_64' ? Architecture.X86_64 : Architecture.ARM_64;

    const ir = JSON.parse(readFileSync(props.irFile, 'utf8')) as IRDocument;
    // a secret for Anthropic's key always, and one for each other provider key the agents need
    const modelKeys: ModelKeySecret[] = stackModelKeys(ir).map((variable) => {
      const label = labelOf(variable);
      const secret = new Secret(this, `${label}ApiKey`, {
        description: `${label} API key of the ${props.packageName} agents. Created with a random placeholder: put the real key with put-secret-value.`,
        generateSecretString: { passwordLength: 32, excludePunctuation: true },
      });
      return { variable, label, secret };
    });
    // a secret for each user key that is not a package `store` secret, generated: it is the key the operator hands to that user
    const userKeys = stackUserKeys(ir).map((variable) => {
      const label = userKeyLabel(variable);
      const secret = new Secret(this, `UserKey${label}`, {
        description: `API key of the ${props.packageName} users whose key is ${variable} (generated: hand it to them, or put your own with put-secret-value).`,
        generateSecretString: { passwordLength: 40, excludePunctuation: true },
      });
      return { variable, label, secret };
    });
    const endpoints = modelEndpointEnv(props.deployBlock);
    requireReachableOllama(ir, endpoints);
    const iam = props.lambda.auth === 'iam';
    const apiKeys = iam
      ? undefined
      : new Secret(this, 'ApiKeys', {
          description: `Comma-separated API keys accepted by the ${props.packageName} endpoints (generated).`,
          generateSecretString: { passwordLength: 40, excludePunctuation: true },
        });

    const sessions = new Table(this, 'Sessions', {
      partitionKey: { name: 'pk', type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: 'expires_at',
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryption.AWS_MANAGED,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const irBucket = new Bucket(this, 'PackageIRs', {
      encryption: BucketEncryption.S3_MANAGED,
      versioned: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const retention = props.logRetention ?? RetentionDays.ONE_MONTH;
    const nodeOptionsValue = functionNodeOptions({ sourceMaps: props.sourceMaps === true });
    const nodeOptions: Record<string, string> = nodeOptionsValue ? { NODE_OPTIONS: nodeOptionsValue } : {};
    // The run and stream functions read the model keys at INIT through the Parameters and Secrets extension
    // (a localhost call, not a ≈ 115 ms import of the Secrets Manager client), where AWS publishes it for the region
    // and architecture; elsewhere they read it with the SDK.
    const paramsAndSecrets =
      !Token.isUnresolved(this.region) &&
      RegionInfo.get(this.region).paramsAndSecretsLambdaLayerArn(PARAMS_AND_SECRETS_VERSION, architecture.name) !== undefined
        ? ParamsAndSecretsLayerVersion.fromVersion(PARAMS_AND_SECRETS_VERSION, { logLevel: ParamsAndSecretsLogLevel.WARN })
        : undefined;
    const make = (name: 'run' | 'stream' | 'deploy', environment: Record<string, string>, timeoutSeconds: number, memoryMb: number, reserved?: number) => {
      const logGroup = new LogGroup(this, `${capitalise(name)}Logs`, { retention, removalPolicy: RemovalPolicy.DESTROY });
      return new NodejsFunction(this, `${capitalise(name)}Function`, {
        description: `AgentSpec ${props.packageName}: ${name}`,
        entry: join(props.projectRoot, 'functions', `${name}.ts`),
        handler: 'handler',
        projectRoot: props.projectRoot,
        depsLockFilePath: join(props.projectRoot, 'package-lock.json'),
        runtime: Runtime.NODEJS_22_X,
        architecture,
        memorySize: memoryMb,
        timeout: Duration.seconds(timeoutSeconds),
        logGroup,
        environment: { ...nodeOptions, ...environment },
        bundling: functionBundling({ name, irFile: props.irFile, packageDir: props.packageDir }),
        ...(name !== 'deploy' && paramsAndSecrets ? { paramsAndSecrets } : {}),
        ...(reserved === undefined ? {} : { reservedConcurrentExecutions: reserved }),
      });
    };

    const sandboxes = this.sandboxFunctions(ir, props, architecture, retention);
    const runtimeEnv = {
      AGENTSPEC_IR_FILE: BUNDLED_IR_FILE,
      AGENTSPEC_PACKAGE_DIR: BUNDLED_PACKAGE_DIR,
      AGENTSPEC_BUNDLED_IR_DIGEST: props.irDigest,
      AGENTSPEC_IR_BUCKET: irBucket.bucketName,
      AGENTSPEC_SESSIONS_TABLE: sessions.tableName,
      // the secrets' ARNs, never their values
      ...Object.fromEntries(modelKeys.map(({ variable, secret }) => [modelKeySecretEnv(variable), secret.secretArn])),
      // where the providers are: OPENAI_BASE_URL, OLLAMA_HOST, … as the lambda deploy block's env sets them
      ...endpoints,
      ...(apiKeys ? { AGENTSPEC_API_KEYS_SECRET: apiKeys.secretArn } : { AGENTSPEC_AUTH: 'iam' }),
      ...(userKeys.length
        ? { [USER_KEY_SECRETS_ENV]: this.toJsonString(Object.fromEntries(userKeys.map(({ variable, secret }) => [variable, secret.secretArn]))) }
        : {}),
      ...Object.fromEntries(sandboxes.map(({ language, fn }) => [SANDBOX_FUNCTION_ENV[language], fn.functionName])),
    };
    const { timeoutSeconds, memoryMb, reservedConcurrency } = props.lambda;
    const run = make('run', runtimeEnv, timeoutSeconds, memoryMb, reservedConcurrency);
    const stream = make('stream', runtimeEnv, timeoutSeconds, memoryMb, reservedConcurrency);

    // IR objects are content-addressed: their keys are unknown at synth, so access is by prefix.
    const irObjects = irBucket.arnForObjects('ir/*');
    for (const fn of [run, stream]) {
      fn.addToRolePolicy(new PolicyStatement({ sid: 'ReadPackageIRs', actions: ['s3:GetObject'], resources: [irObjects] }));
      sessions.grantReadWriteData(fn);
      for (const { secret } of [...modelKeys, ...userKeys]) secret.grantRead(fn);
      apiKeys?.grantRead(fn);
      if (sandboxes.length)
        fn.addToRolePolicy(
          new PolicyStatement({
            sid: 'InvokeSandboxFunctions',
            actions: ['lambda:InvokeFunction'],
            resources: sandboxes.map(({ fn: sandbox }) => sandbox.functionArn),
          }),
        );
      if (props.storeSecrets?.length) {
        fn.addToRolePolicy(
          new PolicyStatement({
            sid: 'ReadPackageStoreSecrets',
            actions: ['secretsmanager:GetSecretValue'],
            // Secrets Manager appends a random 6-character suffix to secret ARNs
            resources: props.storeSecrets.map((name) =>
              this.formatArn({ service: 'secretsmanager', resource: 'secret', resourceName: `${name}-??????`, arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
            ),
          }),
        );
      }
    }

    // aws-cdk-lib's own classes are typed without exactOptionalPropertyTypes (Version.role is `IRole | undefined`)
    const runLive = new Alias(this, 'RunLive', { aliasName: LIVE_ALIAS, version: run.currentVersion as IVersion });
    const streamLive = new Alias(this, 'StreamLive', { aliasName: LIVE_ALIAS, version: stream.currentVersion as IVersion });
    const authType = iam ? FunctionUrlAuthType.AWS_IAM : FunctionUrlAuthType.NONE;
    const runUrl = runLive.addFunctionUrl({ authType, invokeMode: InvokeMode.BUFFERED });
    const streamUrl = streamLive.addFunctionUrl({ authType, invokeMode: InvokeMode.RESPONSE_STREAM });

    const deploy = make(
      'deploy',
      {
        AGENTSPEC_IR_BUCKET: irBucket.bucketName,
        AGENTSPEC_RUN_FUNCTION: run.functionName,
        AGENTSPEC_STREAM_FUNCTION: stream.functionName,
        AGENTSPEC_ALIAS: LIVE_ALIAS,
        // what this synth's IAM and assets cover: the hot-swap refuses a package that needs more
        [DEPLOY_COVERAGE_ENV]: deployCoverageValue({
          storeSecrets: props.storeSecrets ?? [],
          files: shippedPackageFiles({ irFile: props.irFile, packageDir: props.packageDir }),
          sandboxes: Object.fromEntries(sandboxes.map(({ language, limits }) => [language, limits])),
          deploy: props.deployBlock,
          modelKeys: modelKeys.map(({ variable }) => variable),
          modelEndpoints: endpoints,
          userKeys: userKeys.map(({ variable }) => variable),
        }),
      },
      // two configuration updates and their waits fit well within five minutes
      300,
      512,
      // one hot-swap at a time: a second request is throttled (429) instead of interleaving with the first
      1,
    );
    deploy.addToRolePolicy(new PolicyStatement({ sid: 'WritePackageIRs', actions: ['s3:PutObject'], resources: [irObjects] }));
    deploy.addToRolePolicy(
      new PolicyStatement({
        sid: 'HotSwapRunAndStreamOnly',
        actions: [
          'lambda:GetFunction',
          'lambda:GetFunctionConfiguration',
          'lambda:UpdateFunctionConfiguration',
          'lambda:PublishVersion',
          'lambda:GetAlias',
          'lambda:UpdateAlias',
        ],
        resources: [run.functionArn, `${run.functionArn}:*`, stream.functionArn, `${stream.functionArn}:*`],
      }),
    );
    // the hot-swap smoke-tests each new version (GET /healthz) before an alias moves to it
    deploy.addToRolePolicy(
      new PolicyStatement({ sid: 'SmokeTestNewVersions', actions: ['lambda:InvokeFunction'], resources: [`${run.functionArn}:*`, `${stream.functionArn}:*`] }),
    );
    const deployUrl = deploy.addFunctionUrl({ authType: FunctionUrlAuthType.AWS_IAM });

    const alarmAction = props.lambda.alarmTopic ? new SnsAction(Topic.fromTopicArn(this, 'AlarmTopic', props.lambda.alarmTopic)) : undefined;
    const alarm = (id: string, description: string, metric: IMetric) => {
      const created = new Alarm(this, id, {
        alarmDescription: description,
        metric,
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
      if (alarmAction) created.addAlarmAction(alarmAction);
    };
    for (const [name, fn] of [
      ['Run', run],
      ['Stream', stream],
      ['Deploy', deploy],
    ] as [string, NodejsFunction][]) {
      alarm(`${name}Errors`, `${name} function errors`, fn.metricErrors({ period: Duration.minutes(5) }));
      alarm(`${name}Throttles`, `${name} function throttles`, fn.metricThrottles({ period: Duration.minutes(5) }));
      // Lambda counts only unhandled errors; the app answers its failures (and a failed INIT) with a 5xx it logs as JSON
      const serverErrors = new MetricFilter(this, `${name}ServerErrors`, {
        logGroup: fn.logGroup,
        metricNamespace: `AgentSpec/${props.packageName}`,
        metricName: `${name}ServerErrors`,
        filterPattern: FilterPattern.all(FilterPattern.stringValue('$.msg', '=', 'request'), FilterPattern.numberValue('$.status', '>=', 500)),
        metricValue: '1',
      });
      alarm(`${name}5xx`, `${name} function answered 5xx`, serverErrors.metric({ period: Duration.minutes(5), statistic: 'Sum' }));
    }
    // a sandbox function answers no HTTP: its failures are Lambda errors (a crash, a timeout past the tool's) and throttles
    for (const { language, fn } of sandboxes) {
      const name = `Sandbox${capitalise(language)}`;
      alarm(`${name}Errors`, `${language} sandbox function errors`, fn.metricErrors({ period: Duration.minutes(5) }));
      alarm(`${name}Throttles`, `${language} sandbox function throttles`, fn.metricThrottles({ period: Duration.minutes(5) }));
    }

    new CfnOutput(this, 'RunEndpoint', { value: runUrl.url, description: 'JSON routes (invoke, sessions, pipelines, …)' });
    new CfnOutput(this, 'StreamEndpoint', { value: streamUrl.url, description: 'POST /v1/agents/{name}/stream (SSE, response streaming)' });
    new CfnOutput(this, 'DeployEndpoint', { value: deployUrl.url, description: 'hot-swap deploy API (IAM auth, SigV4)' });
    new CfnOutput(this, 'SessionsTable', { value: sessions.tableName });
    new CfnOutput(this, 'IRBucket', { value: irBucket.bucketName });
    for (const { label, secret } of modelKeys) new CfnOutput(this, `${label}KeySecret`, { value: secret.secretName, description: `put the ${label} key here` });
    if (apiKeys) new CfnOutput(this, 'ApiKeysSecret', { value: apiKeys.secretName, description: 'the endpoints accept these keys' });
    for (const { variable, label, secret } of userKeys)
      new CfnOutput(this, `UserKey${label}Secret`, { value: secret.secretName, description: `the key of the users whose key is ${variable}` });

    this.acknowledgeNagFindings({ run, stream, deploy }, irBucket);
  }

  /**
   * The sandbox function of each language the package's inline tools use:
   * one trust domain per package (docs/aws.md). Its role may only write its
   * own logs; it has no environment variables, layers or extension; its
   * timeout and memory fit the largest tool of that language (the IR at
   * synth: a hot-swap that adds a language or raises a limit needs a cdk
   * deploy); its reserved concurrency is the block's `reserved_concurrency`,
   * like run and stream (none by default).
   */
  private sandboxFunctions(ir: IRDocument, props: AgentSpecStackProps, architecture: Architecture, retention: RetentionDays): SandboxFunction[] {
    const tools = resourcesOf(ir, 'Skill').flatMap((skill) => (skill.attributes.tool.type === 'inline' ? [skill.attributes.tool] : []));
    const made: SandboxFunction[] = [];
    for (const language of ['javascript', 'python'] as const) {
      const own = tools.filter((tool) => tool.language === language);
      if (!own.length) continue;
      const id = `Sandbox${capitalise(language)}`;
      const logGroup = new LogGroup(this, `${id}Logs`, { retention, removalPolicy: RemovalPolicy.DESTROY });
      const role = new Role(this, `${id}Role`, {
        assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
        description: `AgentSpec ${props.packageName}: ${language} sandbox function, which may only write its own logs`,
      });
      role.addToPolicy(new PolicyStatement({ sid: 'OwnLogsOnly', actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] }));
      const settings = {
        description: `AgentSpec ${props.packageName}: ${language} sandbox (inline tools)`,
        architecture,
        role,
        logGroup,
        timeout: Duration.seconds(Math.min(900, Math.ceil(Math.max(...own.map((tool) => tool.timeout_ms)) / 1000) + SANDBOX_TIMEOUT_MARGIN_S)),
        memorySize: Math.min(10_240, Math.max(128, Math.ceil(Math.max(...own.map((tool) => tool.memory_bytes)) / 2 ** 20) + SANDBOX_MEMORY_HEADROOM_MB)),
        ...(props.lambda.reservedConcurrency === undefined ? {} : { reservedConcurrentExecutions: props.lambda.reservedConcurrency }),
      };
      const fn =
        language === 'javascript'
          ? new NodejsFunction(this, `${id}Function`, {
              ...settings,
              entry: join(props.projectRoot, 'functions', 'sandbox-javascript.ts'),
              handler: 'handler',
              projectRoot: props.projectRoot,
              depsLockFilePath: join(props.projectRoot, 'package-lock.json'),
              runtime: Runtime.NODEJS_22_X,
              bundling: functionBundling({ name: 'sandbox-javascript', irFile: props.irFile }),
            })
          : new LambdaFunction(this, `${id}Function`, {
              ...settings,
              runtime: Runtime.PYTHON_3_13,
              handler: 'handler.handler',
              code: Code.fromAsset(join(props.projectRoot, 'functions', 'sandbox-python'), { exclude: ['__pycache__', '*.pyc'] }),
            });
      Validations.of(fn).acknowledge({
        id: 'AwsSolutions-L1',
        reason: 'The runtime is pinned (nodejs22.x or python3.13), the versions the sandbox functions are tested on.',
      });
      // what a tool of a hot-swapped package may ask of this function
      const limits = {
        timeout_ms: (settings.timeout.toSeconds() - SANDBOX_TIMEOUT_MARGIN_S) * 1000,
        memory_bytes: (settings.memorySize - SANDBOX_MEMORY_HEADROOM_MB) * 2 ** 20,
      };
      made.push({ language, fn, limits });
    }
    return made;
  }

  /** Acknowledged cdk-nag findings; every one carries its reason. */
  private acknowledgeNagFindings(functions: Record<'run' | 'stream' | 'deploy', NodejsFunction>, irBucket: Bucket): void {
    const ref = (c: Construct) => `<${this.getLogicalId(c.node.defaultChild as CfnElement)}.Arn>`;
    for (const secret of this.node.findAll().filter((c) => c instanceof Secret)) {
      Validations.of(secret).acknowledge({
        id: 'AwsSolutions-SMG4',
        reason:
          'The model keys are issued by their providers (Anthropic, OpenAI) and the API keys are handed to clients; none can be rotated by a Lambda rotation function without breaking its users.',
      });
    }
    Validations.of(irBucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'The bucket holds content-addressed package IRs written only by the deploy function; server access logs would need a second bucket for no audit gain over CloudTrail.',
    });
    for (const fn of Object.values(functions)) {
      Validations.of(fn).acknowledge({
        id: 'AwsSolutions-L1',
        reason: 'The runtime is pinned to Node.js 22 (Runtime.NODEJS_22_X), the version the project supports and tests.',
      });
      Validations.of(fn).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason: 'AWSLambdaBasicExecutionRole only allows writing CloudWatch Logs.',
      });
      Validations.of(fn).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${ref(irBucket)}/ir/*]`,
        reason:
          'IR objects are content-addressed (ir/<sha256>.json): their keys are unknown at synth, so access is limited to the ir/ prefix and to GetObject (run, stream) or PutObject (deploy).',
      });
    }
    for (const target of [functions.run, functions.stream]) {
      Validations.of(functions.deploy).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${ref(target)}:*]`,
        reason:
          'The hot-swap reads and moves the versions and the live alias of exactly the run and stream functions; version numbers are created at deploy time.',
      });
    }
  }
}

/**
 * An Ollama model on Lambda needs `OLLAMA_HOST` in the deploy block's env:
 * the default, localhost, is the function itself. Fails the synth, naming
 * the agents.
 */
function requireReachableOllama(ir: IRDocument, endpoints: Record<string, string>): void {
  const agents = endpoints.OLLAMA_HOST ? [] : ollamaAgents(ir);
  if (agents.length)
    throw new AgentSpecError(
      ErrorCode.ConfigError,
      `${agents.map((agent) => `"${agent}"`).join(', ')} call Ollama, which a Lambda function reaches only at the OLLAMA_HOST its lambda deploy block's env sets (e.g. env { OLLAMA_HOST "http://ollama.internal:11434" }).`,
      { details: { agents, env: 'OLLAMA_HOST' } },
    );
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
