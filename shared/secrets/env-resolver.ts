/** `env(NAME)` secrets: read from the process environment (or a given one). */
import { AgentSpecError, ErrorCode } from '../errors.js';
import type { SecretResolver, SecretSource } from './types.js';

/** Resolves `env(...)` sources from environment variables. */
export class EnvSecretResolver implements SecretResolver {
  constructor(private readonly env: NodeJS.ProcessEnv | Record<string, string | undefined> = process.env) {}

  async resolve(source: SecretSource): Promise<string> {
    if (source.source !== 'env') {
      throw new AgentSpecError(ErrorCode.ConfigError, `The environment resolver only resolves env(...) secrets, not ${source.source}("${source.key}").`);
    }
    const value = this.env[source.key];
    if (value === undefined || value === '') {
      throw new AgentSpecError(ErrorCode.ConfigError, `Environment variable ${source.key} is not set; export ${source.key}=… before starting the runtime.`, {
        details: { variable: source.key },
      });
    }
    return value;
  }
}
