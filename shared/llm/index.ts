/**
 * Model providers: the neutral `ModelProvider` interface, its Anthropic
 * implementation, model-string parsing and a `collect` helper for
 * non-streaming use.
 */
export * from './types.js';
export { createAnthropicProvider, createProviderFor, DEFAULT_MAX_TOKENS, mapStopReason, type AnthropicProviderOptions } from './anthropic-provider.js';
export { parseModel, SUPPORTED_PROVIDERS, type ParsedModel } from './model-string.js';
export { collect, type CollectedResponse } from './collect.js';
