/**
 * What a Lambda execution environment learns from its configuration: where
 * the package IR is (bundled file, or S3 object named by digest after a
 * hot-swap), the sessions table (sessions and runs) and the secrets' ARNs
 * (never their values).
 */
// node:fs/promises also loads node's readline, ≈ 20 ms of a Lambda cold start: the callback API wrapped here does not
import { readFile as readFileCallback } from 'node:fs';
import { promisify } from 'node:util';
import { isAbsolute, resolve } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { AgentSpecError, ErrorCode } from '../../../shared/errors.js';
import { IR_BUCKET_ENV, IR_DIGEST_ENV } from './env-names.js';
import { modelKeySecretsFromEnv } from './model-keys.js';
import { userKeySecretsFromEnv } from './user-keys.js';
import { sha256 } from './hash.js';

const readFile = promisify(readFileCallback);

export interface AwsEnvironmentConfig {
  /** IR bundled at synth time, relative to `baseDir` */
  irFile?: string | undefined;
  irBucket?: string | undefined;
  /** set by a hot-swap: load this IR from the bucket instead of the bundled one */
  irDigest?: string | undefined;
  bundledIrDigest?: string | undefined;
  sessionsTable?: string | undefined;
  /** model key variable (ANTHROPIC_API_KEY, OPENAI_API_KEY) → Secrets Manager ARN or name of the secret holding it */
  modelKeySecrets: Record<string, string>;
  /** user key variable → Secrets Manager ARN of the secret holding that user's key (users/user-keys.ts) */
  userKeySecrets: Record<string, string>;
  /** Secrets Manager ARN or name of the comma-separated API keys */
  apiKeysSecret?: string | undefined;
  /** `iam`: the Function URL authenticates (SigV4) and the app checks no API key; otherwise the API keys secret is required */
  auth?: string | undefined;
  packageDir?: string | undefined;
  /** deploy function: the functions it moves and their alias */
  runFunction?: string | undefined;
  streamFunction?: string | undefined;
  alias?: string | undefined;
}

/** Reads the configuration the CDK stack sets on the functions. */
export function awsConfigFromEnv(env: NodeJS.ProcessEnv = process.env): AwsEnvironmentConfig {
  const pick = (name: string) => (env[name] === undefined || env[name] === '' ? undefined : env[name]);
  return {
    irFile: pick('AGENTSPEC_IR_FILE'),
    irBucket: pick(IR_BUCKET_ENV),
    irDigest: pick(IR_DIGEST_ENV),
    bundledIrDigest: pick('AGENTSPEC_BUNDLED_IR_DIGEST'),
    sessionsTable: pick('AGENTSPEC_SESSIONS_TABLE'),
    modelKeySecrets: modelKeySecretsFromEnv(env),
    userKeySecrets: userKeySecretsFromEnv(env),
    apiKeysSecret: pick('AGENTSPEC_API_KEYS_SECRET'),
    auth: pick('AGENTSPEC_AUTH'),
    packageDir: pick('AGENTSPEC_PACKAGE_DIR'),
    runFunction: pick('AGENTSPEC_RUN_FUNCTION'),
    streamFunction: pick('AGENTSPEC_STREAM_FUNCTION'),
    alias: pick('AGENTSPEC_ALIAS'),
  };
}

/** A configuration value the function cannot work without. */
export function required<K extends keyof AwsEnvironmentConfig>(config: AwsEnvironmentConfig, key: K, variable: string): NonNullable<AwsEnvironmentConfig[K]> {
  const value = config[key];
  if (value === undefined)
    throw new AgentSpecError(ErrorCode.ConfigError, `The function is missing its ${variable} setting; deploy it with the CDK stack (infra/).`, {
      details: { variable },
    });
  return value;
}

/**
 * The package IR JSON of this environment: from S3 when a hot-swap named a
 * digest, else the file bundled beside the code. Validate it with the IR loader.
 */
export async function readPackageIRJson(
  config: AwsEnvironmentConfig,
  options: { baseDir: string; s3: () => Promise<S3Client> },
): Promise<{
  json: unknown;
  digest?: string | undefined;
  source: 's3' | 'bundle';
  /** the bytes match the digest the stack or the hot-swap recorded */ verified: boolean;
}> {
  if (config.irDigest && config.irDigest !== config.bundledIrDigest) {
    const bucket = required(config, 'irBucket', IR_BUCKET_ENV);
    // loaded only after a hot-swap: a cold start from the bundled IR never pays for the S3 client
    const { getIRJson } = await import('./ir-object.js');
    return { json: await getIRJson(await options.s3(), bucket, config.irDigest), digest: config.irDigest, source: 's3', verified: true };
  }
  const file = required(config, 'irFile', 'AGENTSPEC_IR_FILE');
  const path = isAbsolute(file) ? file : resolve(options.baseDir, file);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new AgentSpecError(ErrorCode.ConfigError, `The bundled package IR (${file}) could not be read.`, { cause: error, details: { file } });
  }
  try {
    const verified = config.bundledIrDigest !== undefined && sha256(text) === config.bundledIrDigest;
    return { json: JSON.parse(text) as unknown, digest: config.bundledIrDigest, source: 'bundle', verified };
  } catch (error) {
    throw new AgentSpecError(ErrorCode.ConfigError, `The bundled package IR (${file}) is not JSON.`, { cause: error, details: { file } });
  }
}

/** Splits the API-keys secret (comma- or newline-separated) into keys. */
export function parseApiKeys(value: string): string[] {
  return value
    .split(/[,\n]/)
    .map((k) => k.trim())
    .filter((k) => k !== '');
}
