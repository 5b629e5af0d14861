/** The environment of a command or inline tool: declared env, resolved secrets, a minimal PATH — nothing of the runtime's own. */
import type { SecretVault } from '../secrets/vault.js';

export const MINIMAL_PATH = '/usr/local/bin:/usr/bin:/bin';

/** Declared env plus each `ENV_VAR -> secret name` resolved through the vault. */
export async function toolEnv(
  env: Record<string, string>,
  secrets: Record<string, string>,
  vault: SecretVault,
  withPath: boolean,
): Promise<Record<string, string>> {
  const out: Record<string, string> = withPath ? { PATH: MINIMAL_PATH, ...env } : { ...env };
  for (const [variable, secret] of Object.entries(secrets)) out[variable] = await vault.get(secret);
  return out;
}
