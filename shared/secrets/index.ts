/**
 * Secrets: resolvers for `env(...)` and `store(...)` sources, the vault that
 * resolves a package's declared secrets by name, and the redactor that keeps
 * their values out of logs, errors and records.
 */
export type { SecretResolver, SecretSource } from './types.js';
export { EnvSecretResolver } from './env-resolver.js';
export { DEFAULT_SECRETS_FILE, FileSecretResolver, type FileSecretResolverOptions } from './file-resolver.js';
export { Redactor, defaultRedactor } from './redactor.js';
export { SecretVault, type SecretVaultOptions } from './vault.js';
// The Secrets Manager resolver lives with the Lambda functions (functions/lib/secrets/): only AWS uses it.
