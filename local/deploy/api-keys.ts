/**
 * The API keys of a runtime a target serves beyond loopback, whatever the
 * target: `auth "none"` (the explicit opt-out), the package secret `api_keys`
 * names, or a key generated on the first apply and kept by the target
 * itself (a cluster Secret, a container's environment) — never in the state
 * file.
 */
import { randomBytes } from 'node:crypto';
import type { IRDeploy } from '../../shared/ir/types.js';

export const API_KEYS_VARIABLE = 'AGENTSPEC_API_KEYS';
/** The runtime's explicit opt-out of API keys beyond loopback (`auth "none"`). */
export const INSECURE_VARIABLE = 'AGENTSPEC_INSECURE';
export const GENERATED_SOURCE = 'generated';

/** How the runtime authenticates: with keys from a source, or not at all (`auth "none"`). */
export type KeysPlan = { mode: 'api-key'; source: string } | { mode: 'none' };

/** The keys plan of a deploy block: `generated`, `secret/<name>`, or none. */
export function keysPlanOf(deploy: IRDeploy): KeysPlan {
  if (deploy.attributes.auth === 'none') return { mode: 'none' };
  const named = deploy.attributes.api_keys;
  return { mode: 'api-key', source: named === undefined ? GENERATED_SOURCE : `secret/${named}` };
}

/** A new key: 32 random bytes, base64url. */
export function generateApiKey(): string {
  return `ask_${randomBytes(32).toString('base64url')}`;
}
