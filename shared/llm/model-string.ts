/**
 * Model strings as in the language reference: which provider a `model`
 * string selects, and the model id sent to it.
 *
 * A `provider/` prefix names the provider. A bare id is recognised by its
 * name: `claude…` is Anthropic, `gpt-…`, `o1…`, `o3…` and `o4…` are OpenAI.
 * Any other bare id goes to Anthropic, unless the environment given says
 * otherwise: `OLLAMA_HOST` set selects Ollama, else `OPENAI_API_KEY` set
 * selects OpenAI. The toolchain parses without an environment (so the IR does
 * not depend on the machine that compiled it); the runtime parses with its own.
 */

/** Providers this runtime can call. */
export const SUPPORTED_PROVIDERS = Object.freeze(['anthropic', 'openai', 'ollama'] as const);

export type ProviderName = (typeof SUPPORTED_PROVIDERS)[number];

export interface ParsedModel {
  /** lower-cased; may name a provider this runtime does not support (the validator reports it) */
  provider: string;
  /** the model id without its provider prefix */
  model: string;
}

/** The environment variables that can select a provider for a bare model id. */
export type ModelEnv = Readonly<Partial<Record<'OLLAMA_HOST' | 'OPENAI_API_KEY', string | undefined>>>;

/**
 * Splits a model string into provider and model id.
 * @example parseModel('claude-sonnet-4-20250514') // {provider: 'anthropic', model: 'claude-sonnet-4-20250514'}
 * @example parseModel('openai/gpt-4o-mini')       // {provider: 'openai', model: 'gpt-4o-mini'}
 * @example parseModel('gpt-4o')                   // {provider: 'openai', model: 'gpt-4o'}
 * @example parseModel('llama3.1', { OLLAMA_HOST: 'http://gpu:11434' }) // {provider: 'ollama', model: 'llama3.1'}
 */
export function parseModel(model: string, env: ModelEnv = {}): ParsedModel {
  const slash = model.indexOf('/');
  if (slash > 0) return { provider: model.slice(0, slash).toLowerCase(), model: model.slice(slash + 1) };
  return { provider: providerByName(model) ?? providerByEnv(env) ?? 'anthropic', model };
}

/** True when `provider` is one this runtime can call. */
export function isSupportedProvider(provider: string): provider is ProviderName {
  return (SUPPORTED_PROVIDERS as readonly string[]).includes(provider);
}

function providerByName(model: string): ProviderName | undefined {
  const id = model.toLowerCase();
  if (id.startsWith('claude')) return 'anthropic';
  if (id.startsWith('gpt-') || /^o[134]/.test(id)) return 'openai';
  return undefined;
}

function providerByEnv(env: ModelEnv): ProviderName | undefined {
  if (env.OLLAMA_HOST) return 'ollama';
  if (env.OPENAI_API_KEY) return 'openai';
  return undefined;
}
