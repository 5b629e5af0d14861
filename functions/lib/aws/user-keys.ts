/**
 * Per-user API keys on Lambda. A user's key is a declared `store` secret
 * (read from Secrets Manager by name, like any other store secret), or else
 * a variable the functions do not have: for each such user the stack makes
 * a Secrets Manager secret (a generated key, which the operator hands to the
 * user or replaces) and gives run and stream its ARN under the user's key
 * variable in `AGENTSPEC_USER_KEY_SECRETS` (JSON: variable → ARN). INIT reads
 * those secrets and hands their values to `resolveUserKeys` as that variable.
 */
import { AgentSpecError, ErrorCode } from '../../../shared/errors.js';
import { findResource, resourcesOf, type IRDocument } from '../../../shared/ir/types.js';

export const USER_KEY_SECRETS_ENV = 'AGENTSPEC_USER_KEY_SECRETS';

/** The users' key variables the stack must hold a secret for: every one that is not a declared `store` secret, sorted. */
export function stackUserKeys(ir: IRDocument): string[] {
  const variables = resourcesOf(ir, 'User')
    .map((user) => user.attributes.key)
    .filter((variable) => findResource(ir, 'Secret', variable)?.attributes.source !== 'store');
  return [...new Set(variables)].sort();
}

/** Variable → secret ARN, from `AGENTSPEC_USER_KEY_SECRETS`; a value that is not such a map stops INIT. */
export function userKeySecretsFromEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const text = env[USER_KEY_SECRETS_ENV];
  if (text === undefined || text === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed) || !Object.values(parsed).every((v) => typeof v === 'string' && v !== ''))
    throw new AgentSpecError(ErrorCode.ConfigError, `${USER_KEY_SECRETS_ENV} must be a JSON object of user key variables and secret ARNs.`, {
      details: { variable: USER_KEY_SECRETS_ENV },
    });
  return parsed as Record<string, string>;
}

/**
 * The name of a user key's secret, its output and its construct id:
 * `SUPPORT_API_KEY` → `SupportApiKey`.
 */
export function userKeyLabel(variable: string): string {
  return variable
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part[0]!.toUpperCase() + part.slice(1).toLowerCase())
    .join('');
}
