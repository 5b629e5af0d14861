/**
 * The API keys a Kubernetes runtime checks (`auth "api-key"`, the default):
 * one Secret, `<app>-api-keys`, whose `AGENTSPEC_API_KEYS` the pods read
 * through a secretKeyRef. Its value is the package secret named by
 * `api_keys`, or, when none is named, a key generated on the first apply and
 * kept in the cluster afterwards. The annotation says which, so switching
 * from a named secret back to a generated key does not keep the old value.
 */
export const API_KEYS_SOURCE_ANNOTATION = 'agentspec.dev/api-keys-source';

/** The Secret's name. */
export function apiKeysSecretName(app: string): string {
  return `${app}-api-keys`;
}
