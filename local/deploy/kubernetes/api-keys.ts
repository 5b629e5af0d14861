/**
 * The API keys a Kubernetes runtime checks (`auth "api-key"`, the default):
 * one Secret, `<app>-api-keys`, whose `AGENTSPEC_API_KEYS` the pods read
 * through a secretKeyRef. Its value is the package secret named by
 * `api_keys`, or, when none is named, a key generated on the first apply and
 * kept in the cluster afterwards. The annotation says which, so switching
 * from a named secret back to a generated key does not keep the old value.
 */
import { randomBytes } from 'node:crypto';
import type { IRDeploy } from '../../../shared/ir/types.js';

export const API_KEYS_VARIABLE = 'AGENTSPEC_API_KEYS';
export const API_KEYS_SOURCE_ANNOTATION = 'agentspec.dev/api-keys-source';
export const GENERATED_SOURCE = 'generated';

/** How the runtime authenticates: with keys from a source, or not at all (`auth "none"`). */
export type KeysPlan = { mode: 'api-key'; source: string } | { mode: 'none' };

/** The keys plan of a deploy block: `generated`, `secret/<name>`, or none. */
export function keysPlanOf(deploy: IRDeploy): KeysPlan {
  if (deploy.attributes.auth === 'none') return { mode: 'none' };
  const named = deploy.attributes.api_keys;
  return { mode: 'api-key', source: named === undefined ? GENERATED_SOURCE : `secret/${named}` };
}

/** The Secret's name. */
export function apiKeysSecretName(app: string): string {
  return `${app}-api-keys`;
}

/** A new key: 32 random bytes, base64url. */
export function generateApiKey(): string {
  return `ask_${randomBytes(32).toString('base64url')}`;
}
