/**
 * The environment variables each model provider reads: the one list that
 * servers (to redact the keys) and deploy targets (to pass them into a
 * runtime) consult, so a new provider is added in one place.
 */
import type { ProviderName } from './model-string.js';

export interface ProviderEnv {
  /** the variable holding the API key (a secret), when the provider needs one */
  key?: string;
  /** the variable naming another endpoint */
  baseURL: string;
}

export const PROVIDER_ENV: Readonly<Record<ProviderName, ProviderEnv>> = Object.freeze({
  anthropic: { key: 'ANTHROPIC_API_KEY', baseURL: 'ANTHROPIC_BASE_URL' },
  openai: { key: 'OPENAI_API_KEY', baseURL: 'OPENAI_BASE_URL' },
  ollama: { baseURL: 'OLLAMA_HOST' },
});

/** The variables holding model API keys (secrets: register their values with the redactor). */
export const MODEL_KEY_VARIABLES: readonly string[] = Object.freeze(Object.values(PROVIDER_ENV).flatMap((env) => (env.key ? [env.key] : [])));

/** Every variable a provider reads, keys and endpoints. */
export const MODEL_VARIABLES: readonly string[] = Object.freeze(
  Object.values(PROVIDER_ENV).flatMap((env) => (env.key ? [env.key, env.baseURL] : [env.baseURL])),
);

/** Ollama's address when `OLLAMA_HOST` is unset, as the Ollama server itself defaults. */
export const DEFAULT_OLLAMA_HOST = 'http://localhost:11434';

/**
 * The base URL of Ollama's OpenAI-compatible API: `OLLAMA_HOST` (or the
 * default) plus `/v1`. A host without a scheme (`gpu-box:11434`, as Ollama's
 * own CLI accepts it) is taken as `http://`.
 * @example ollamaBaseURL(undefined)               // 'http://localhost:11434/v1'
 * @example ollamaBaseURL('http://gpu-box:11434/') // 'http://gpu-box:11434/v1'
 */
export function ollamaBaseURL(host: string | undefined): string {
  const address = host?.trim() || DEFAULT_OLLAMA_HOST;
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(address) ? address : `http://${address}`;
  return `${withScheme.replace(/\/+$/, '')}/v1`;
}
