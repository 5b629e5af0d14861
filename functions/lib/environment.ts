/**
 * One execution environment's runtime, built once and reused by every warm
 * invocation: the package IR (bundled, or from S3 by digest after a
 * hot-swap), the model keys from Secrets Manager (Anthropic's, and OpenAI's
 * when the package calls it: into the process environment the providers
 * read, never logged), the API keys and the users' keys, DynamoDB
 * sessions and runs, and the composed runtime whose MCP servers and sandbox live as
 * long as the environment (inline code goes to the sandbox functions the
 * stack names, or is refused).
 */
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Hono } from 'hono';
import { awsConfigFromEnv, parseApiKeys, readPackageIRJson } from './aws/environment-config.js';
import { composeService } from '../../shared/compose/compose-service.js';
import { AgentSpecError, ErrorCode } from '../../shared/errors.js';
import { apiKeysFromEnv, createApp } from '../../shared/http/index.js';
import { resolveUserKeys, type UserKeys } from '../../shared/http/user-keys.js';
import { resourcesOf, type IRDocument } from '../../shared/ir/types.js';
import type { AgentRuntime } from '../../shared/loop/types.js';
import type { Sandbox } from '../../shared/sandbox/types.js';
import { defaultRedactor, type Redactor } from '../../shared/secrets/index.js';
import { SecretVault } from '../../shared/secrets/vault.js';
import { SecretsManagerResolver } from './secrets/secrets-manager-resolver.js';
import { DynamoDBRunStore } from './runs/dynamodb-run-store.js';
import { DynamoDBSessionStore } from './sessions/dynamodb-store.js';
import { whileWaiting } from './while-waiting.js';

export interface RuntimeEnvironment {
  app: Hono;
  runtime: AgentRuntime;
  /** the IR's digest, when known */
  digest?: string | undefined;
}

/** Builds the runtime and the HTTP app for this environment from its configuration. */
export async function createRuntimeEnvironment(env: NodeJS.ProcessEnv = process.env): Promise<RuntimeEnvironment> {
  const config = awsConfigFromEnv(env);
  // fail closed: behind a URL without IAM auth, the API keys are the only gate
  if (config.auth !== 'iam' && config.apiKeysSecret === undefined && apiKeysFromEnv(env) === undefined)
    throw new AgentSpecError(
      ErrorCode.ConfigError,
      'Neither AGENTSPEC_API_KEYS_SECRET nor AGENTSPEC_API_KEYS is set, so this function would serve without authentication; it refuses. Set the secret, or deploy with auth "iam" (AGENTSPEC_AUTH=iam) so the Function URL authenticates.',
    );
  const redactor = defaultRedactor();
  const secrets = new SecretsManagerResolver();
  const baseDir = dirname(fileURLToPath(import.meta.url));

  // Read first, and waited for last: the runtime is built while the secrets are in flight.
  const secretsRead = Promise.all([
    Promise.all(
      Object.entries(config.modelKeySecrets).map(async ([variable, secret]) => [variable, await secrets.resolve({ source: 'store', key: secret })] as const),
    ),
    config.apiKeysSecret ? secrets.resolve({ source: 'store', key: config.apiKeysSecret }).then(parseApiKeys) : undefined,
    Promise.all(
      Object.entries(config.userKeySecrets).map(async ([variable, secret]) => [variable, await secrets.resolve({ source: 'store', key: secret })] as const),
    ),
  ]);
  const [[modelKeys, apiKeys, userKeyValues], { loaded, runtime, service }] = await whileWaiting(
    secretsRead,
    async () => {
      // the S3 client is needed only after a hot-swap, so a cold start from the bundled IR never loads it
      const loaded = await readPackageIRJson(config, { baseDir, s3: async () => new (await import('@aws-sdk/client-s3')).S3Client({}) });
      // stdio MCP servers name paths relative to the package folder bundled beside the code
      if (config.packageDir) {
        try {
          process.chdir(config.packageDir.startsWith('/') ? config.packageDir : `${baseDir}/${config.packageDir}`);
        } catch {
          // no bundled package folder: servers resolve from the code directory
        }
      }
      const sessions = config.sessionsTable ? new DynamoDBSessionStore({ tableName: config.sessionsTable }) : undefined;
      // Inline code runs in the package's sandbox functions, when the stack made any; without them it is refused.
      const sandbox = await lambdaSandbox(env);
      // An IR whose bytes match the digest recorded at synth or by the hot-swap was validated when it was made;
      // skipping the schema compile here saves a large part of the cold start. Anything else is validated.
      const service = await composeService(
        { json: loaded.json, verified: loaded.verified },
        { redactor, secretResolvers: { store: secrets }, logBase: { ir: loaded.digest }, ...(sessions ? { sessions } : {}), ...(sandbox ? { sandbox } : {}) },
      );
      loadFetchClasses();
      return { loaded, ir: service.ir, runtime: service.runtime, service };
    },
    ({ runtime }) => runtime.close(),
  );
  for (const [variable, key] of modelKeys) {
    redactor.register(variable.toLowerCase().replaceAll('_', '-'), key);
    // the providers read their key from the environment at call time
    process.env[variable] = key;
  }
  for (const [i, key] of (apiKeys ?? []).entries()) redactor.register(`api-key-${i}`, key);
  const users = await lambdaUserKeys(service.ir, secrets, redactor, env, userKeyValues).catch(async (error: unknown) => {
    // a user without a key stops INIT (config_error naming the user and the variable): nothing may serve half-authenticated
    await runtime.close();
    throw error;
  });

  const app = createApp({
    runtime: () => runtime,
    // with IAM auth the Function URL has already authenticated the caller
    apiKeys: config.auth === 'iam' ? false : (apiKeys ?? apiKeysFromEnv(env) ?? []),
    users,
    // runs live in the sessions table, so another invocation can follow, resume, cancel or approve them; without a table, in memory
    ...(config.sessionsTable ? { runs: new DynamoDBRunStore({ tableName: config.sessionsTable }) } : {}),
    logger: service.logger,
    telemetry: service.telemetry,
  }) as unknown as Hono;
  return { app, runtime, digest: loaded.digest };
}

/**
 * The users' keys: a declared `store` secret through Secrets Manager, any
 * other from the secret the stack made for it (read at INIT, given as the
 * user's key variable); each registered with the redactor.
 */
async function lambdaUserKeys(
  ir: IRDocument,
  secrets: SecretsManagerResolver,
  redactor: Redactor,
  env: NodeJS.ProcessEnv,
  fromStack: readonly (readonly [string, string])[],
): Promise<UserKeys | undefined> {
  if (resourcesOf(ir, 'User').length === 0) return undefined;
  const vault = new SecretVault(ir, { store: secrets, redactor });
  const users = await resolveUserKeys(ir, vault, { ...env, ...Object.fromEntries(fromStack) });
  for (const [variable, key] of fromStack) redactor.register(`user-key-${variable.toLowerCase().replaceAll('_', '-')}`, key.trim());
  return users;
}

/** The sandbox that invokes the sandbox functions this environment names (its code a chunk of its own), or none. */
async function lambdaSandbox(env: NodeJS.ProcessEnv): Promise<Sandbox | undefined> {
  if (!env.AGENTSPEC_SANDBOX_JAVASCRIPT_FUNCTION && !env.AGENTSPEC_SANDBOX_PYTHON_FUNCTION) return undefined;
  const { createLambdaSandbox, sandboxFunctionsFromEnv } = await import('./sandbox/lambda-sandbox.js');
  return createLambdaSandbox(sandboxFunctionsFromEnv(env));
}

/**
 * Every request builds a `Request` (Hono's Lambda adapter) and `Headers`
 * (the SDK), and the first use of either makes Node load undici, ≈ 35 ms.
 * Done here it is part of INIT, where it overlaps the secrets read, instead
 * of the first request.
 */
function loadFetchClasses(): void {
  void new Headers();
}
