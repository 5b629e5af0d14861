/**
 * The secrets of one package: resolves a declared secret by name through the
 * resolver for its source, caches the value and registers it with the
 * redactor, so whoever logs or reports text can strip it.
 */
import { AgentSpecError, ErrorCode, isAgentSpecError } from '../errors.js';
import { findResource, type IRDocument } from '../ir/types.js';
import { EnvSecretResolver } from './env-resolver.js';
import { FileSecretResolver } from './file-resolver.js';
import { Redactor } from './redactor.js';
import type { SecretResolver } from './types.js';

export interface SecretVaultOptions {
  /** resolves `env(...)` secrets (default: the process environment) */
  env?: SecretResolver;
  /** resolves `store(...)` secrets (default: the local JSON file, see `FileSecretResolver`) */
  store?: SecretResolver;
  /** where values are registered (default: a redactor of this vault's own) */
  redactor?: Redactor;
}

/** Declared secrets by name, resolved lazily and redacted everywhere. */
export class SecretVault {
  readonly redactor: Redactor;
  private readonly env: SecretResolver;
  private readonly store: SecretResolver;
  private readonly cache = new Map<string, Promise<string>>();

  constructor(
    private readonly ir: IRDocument,
    options: SecretVaultOptions = {},
  ) {
    this.env = options.env ?? new EnvSecretResolver();
    this.store = options.store ?? new FileSecretResolver();
    this.redactor = options.redactor ?? new Redactor();
  }

  /** The value of the declared secret `name`. Throws `config_error` naming the secret (never a value). */
  get(name: string): Promise<string> {
    let pending = this.cache.get(name);
    if (!pending) {
      pending = this.resolve(name);
      // a failure is not cached: the secret may be provided later
      pending.catch(() => this.cache.delete(name));
      this.cache.set(name, pending);
    }
    return pending;
  }

  /** The text with every secret resolved so far replaced by `[REDACTED:<name>]`. */
  redact(text: string): string {
    return this.redactor.redact(text);
  }

  private async resolve(name: string): Promise<string> {
    const secret = findResource(this.ir, 'Secret', name);
    if (!secret) {
      throw new AgentSpecError(ErrorCode.ConfigError, `Secret "${name}" is not declared; add \`secret "${name}" { env(…) }\` to the package.`, {
        details: { secret: name },
      });
    }
    const { source, key } = secret.attributes;
    const resolver = source === 'env' ? this.env : this.store;
    let value: string;
    try {
      value = await resolver.resolve({ source, key });
    } catch (error) {
      const reason = isAgentSpecError(error) ? error.message : `its resolver failed (${error instanceof Error ? error.name : 'error'})`;
      throw new AgentSpecError(ErrorCode.ConfigError, `Secret "${name}" (${source}("${key}")) is not available: ${reason}`, {
        cause: error,
        details: { secret: name, source },
      });
    }
    this.redactor.register(name, value);
    return value;
  }
}
