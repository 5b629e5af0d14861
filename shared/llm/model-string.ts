/**
 * Model strings as in the language reference: a bare Claude id selects the
 * Anthropic provider; any other provider is named by a `provider/` prefix.
 */

export interface ParsedModel {
  provider: string;
  /** the model id without its provider prefix */
  model: string;
}

/**
 * Splits a model string into provider and model id.
 * @example parseModel('claude-sonnet-4-20250514') // {provider: 'anthropic', model: 'claude-sonnet-4-20250514'}
 * @example parseModel('openai/gpt-4o-mini')       // {provider: 'openai', model: 'gpt-4o-mini'}
 */
export function parseModel(model: string): ParsedModel {
  const slash = model.indexOf('/');
  if (slash <= 0) return { provider: 'anthropic', model };
  return { provider: model.slice(0, slash).toLowerCase(), model: model.slice(slash + 1) };
}

/** Providers this runtime can call. */
export const SUPPORTED_PROVIDERS: readonly string[] = Object.freeze(['anthropic']);
