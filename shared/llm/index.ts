/**
 * Model providers: the neutral `ModelProvider` interface, its Anthropic and
 * Chat Completions (OpenAI, Ollama) implementations, provider selection,
 * model-string parsing and a `collect` helper for non-streaming use.
 */
export * from './types.js';
export { createAnthropicProvider, DEFAULT_MAX_TOKENS, mapStopReason, type AnthropicProviderOptions } from './anthropic-provider.js';
export { createOllamaProvider, createOpenAIProvider, mapFinishReason, type OpenAIProviderOptions } from './openai-provider.js';
export { createProviderFor } from './providers.js';
export { isSupportedProvider, parseModel, SUPPORTED_PROVIDERS, type ModelEnv, type ParsedModel, type ProviderName } from './model-string.js';
export { DEFAULT_OLLAMA_HOST, MODEL_KEY_VARIABLES, MODEL_VARIABLES, ollamaBaseURL, PROVIDER_ENV, type ProviderEnv } from './provider-env.js';
export { collect, type CollectedResponse } from './collect.js';
