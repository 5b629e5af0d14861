/**
 * Provider selection: the one place that maps a provider name (from
 * `parseModel`) to its `ModelProvider`. Each provider is created once per
 * process and reads its key and endpoint from the environment at each call.
 */
import { AgentSpecError, ErrorCode } from '../errors.js';
import { createAnthropicProvider } from './anthropic-provider.js';
import { isSupportedProvider, SUPPORTED_PROVIDERS, type ProviderName } from './model-string.js';
import { createOllamaProvider, createOpenAIProvider } from './openai-provider.js';
import type { ModelProvider } from './types.js';

const FACTORIES: Record<ProviderName, () => ModelProvider> = {
  anthropic: createAnthropicProvider,
  openai: createOpenAIProvider,
  ollama: createOllamaProvider,
};

const created = new Map<ProviderName, ModelProvider>();

/**
 * The provider for a provider name: `anthropic`, `openai` or `ollama`; any
 * other name is a `config_error`.
 * @example createProviderFor(parseModel(agent.model, process.env).provider)
 */
export function createProviderFor(provider: string): ModelProvider {
  if (!isSupportedProvider(provider)) {
    throw new AgentSpecError(ErrorCode.ConfigError, `Model provider "${provider}" is not supported; supported: ${SUPPORTED_PROVIDERS.join(', ')}.`, {
      details: { provider, supported: [...SUPPORTED_PROVIDERS] },
    });
  }
  let instance = created.get(provider);
  if (!instance) created.set(provider, (instance = FACTORIES[provider]()));
  return instance;
}
