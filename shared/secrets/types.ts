/**
 * Secret resolution. A package names secrets (`secret "x" { env(X) }` or
 * `{ store("path") }`); resolvers turn a source into a value. Values are
 * registered with the redactor so they never reach logs or errors.
 */
export interface SecretSource {
  source: 'env' | 'store';
  key: string;
}

/** Resolves one kind of secret source. Throws `AgentSpecError('config_error')` naming the secret (never its value) when absent. */
export interface SecretResolver {
  resolve(source: SecretSource): Promise<string>;
}
