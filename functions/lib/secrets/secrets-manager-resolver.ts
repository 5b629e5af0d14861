/**
 * `store("path")` secrets on AWS Secrets Manager. A value is fetched once per
 * execution environment and cached (a Lambda environment lives minutes to
 * hours; rotating a secret takes effect on the next cold start): through the
 * Parameters and Secrets Lambda Extension when the function has it
 * (secrets-extension.ts), else with GetSecretValue. Errors name the secret,
 * never a value.
 */
import type { SecretsManagerClient, SecretsManagerClientConfig } from '@aws-sdk/client-secrets-manager';
import { AgentSpecError, ErrorCode } from '../../../shared/errors.js';
import { secretFromExtension, type SecretsExtensionOptions } from './secrets-extension.js';
import type { SecretResolver, SecretSource } from '../../../shared/secrets/types.js';

export interface SecretsManagerResolverOptions {
  /** a client, or the configuration of a new one */
  client?: SecretsManagerClient | SecretsManagerClientConfig;
  /** how the Lambda extension is reached (default: from the environment; `false`: never) */
  extension?: SecretsExtensionOptions | false;
}

/** Resolves `store(...)` sources with GetSecretValue; the key is a secret name or ARN. */
export class SecretsManagerResolver implements SecretResolver {
  private readonly options: SecretsManagerResolverOptions;
  private sdk?: Promise<{ client: SecretsManagerClient; sdk: typeof import('@aws-sdk/client-secrets-manager') }>;
  private readonly cache = new Map<string, Promise<string>>();

  constructor(options: SecretsManagerResolverOptions = {}) {
    this.options = options;
  }

  // The SDK is imported on the first secret read, not with this module: a bundle that never reads a secret never loads it.
  private loadSdk(): Promise<{ client: SecretsManagerClient; sdk: typeof import('@aws-sdk/client-secrets-manager') }> {
    this.sdk ??= import('@aws-sdk/client-secrets-manager').then((sdk) => {
      const given = this.options.client;
      return { sdk, client: given instanceof sdk.SecretsManagerClient ? given : new sdk.SecretsManagerClient(given ?? {}) };
    });
    return this.sdk;
  }

  resolve(source: SecretSource): Promise<string> {
    if (source.source !== 'store') {
      return Promise.reject(
        new AgentSpecError(ErrorCode.ConfigError, `The Secrets Manager resolver only resolves store(...) secrets, not ${source.source}("${source.key}").`),
      );
    }
    let pending = this.cache.get(source.key);
    if (!pending) {
      pending = this.fetch(source.key);
      // a failure is not cached: the next call retries (the secret may be filled in later)
      pending.catch(() => this.cache.delete(source.key));
      this.cache.set(source.key, pending);
    }
    return pending;
  }

  private async fetch(key: string): Promise<string> {
    if (this.options.extension !== false) {
      const value = await secretFromExtension(key, this.options.extension);
      if (value !== undefined) return value;
    }
    let out;
    try {
      const { client, sdk } = await this.loadSdk();
      out = await client.send(new sdk.GetSecretValueCommand({ SecretId: key }));
    } catch (error) {
      const name = error instanceof Error ? error.name : 'Error';
      const reason =
        name === 'ResourceNotFoundException'
          ? 'does not exist'
          : name === 'AccessDeniedException'
            ? 'is not readable by this role'
            : `could not be read (${name})`;
      throw new AgentSpecError(ErrorCode.ConfigError, `Secret "${key}" in AWS Secrets Manager ${reason}.`, { cause: error, details: { secret: key } });
    }
    const value = out.SecretString ?? (out.SecretBinary ? Buffer.from(out.SecretBinary).toString('utf8') : undefined);
    if (value === undefined || value === '') {
      throw new AgentSpecError(
        ErrorCode.ConfigError,
        `Secret "${key}" in AWS Secrets Manager has no value; set one with \`aws secretsmanager put-secret-value --secret-id ${key} --secret-string …\`.`,
        {
          details: { secret: key },
        },
      );
    }
    return value;
  }
}
