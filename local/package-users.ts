/**
 * The package's user keys for a server this machine starts (dev, `serve`,
 * the process and container runtime): resolved through a vault with the
 * same secret resolvers and redactor as the runtime, so a key never shows in
 * a log line. A user whose key is missing stops the start (`config_error`
 * naming the user and the variable).
 */
import { resolveUserKeys, userKeyEnvironment, type UserKeys } from '../shared/http/user-keys.js';
import type { IRDocument } from '../shared/ir/types.js';
import type { Redactor } from '../shared/secrets/redactor.js';
import type { SecretResolver } from '../shared/secrets/types.js';
import { SecretVault } from '../shared/secrets/vault.js';

export interface PackageUsersOptions {
  redactor: Redactor;
  secretResolvers?: { env?: SecretResolver; store?: SecretResolver } | undefined;
  env?: NodeJS.ProcessEnv;
}

export async function packageUsers(ir: IRDocument, options: PackageUsersOptions): Promise<UserKeys> {
  const env = options.env ?? process.env;
  const vault = new SecretVault(ir, { ...options.secretResolvers, redactor: options.redactor });
  // keys read from a plain variable are not the vault's: register them too
  for (const [variable, key] of Object.entries(await userKeyEnvironment(ir, vault, env))) options.redactor.register(variable, key);
  return resolveUserKeys(ir, vault, env);
}
