import { describe, expect, it } from 'vitest';
import { isSupportedProvider, parseModel, SUPPORTED_PROVIDERS } from '../../shared/llm/model-string.js';
import { modelId } from '../../shared/loop/compile-agent.js';

describe('parseModel', () => {
  it.each([
    ['claude-sonnet-4-20250514', { provider: 'anthropic', model: 'claude-sonnet-4-20250514' }],
    ['anthropic/claude-haiku-4-5', { provider: 'anthropic', model: 'claude-haiku-4-5' }],
    ['openai/gpt-4o-mini', { provider: 'openai', model: 'gpt-4o-mini' }],
    ['OpenAI/gpt-4o', { provider: 'openai', model: 'gpt-4o' }],
    ['ollama/llama3.1', { provider: 'ollama', model: 'llama3.1' }],
    ['ollama/library/llama3.1:8b', { provider: 'ollama', model: 'library/llama3.1:8b' }],
    ['bedrock/anthropic.claude-3/v1', { provider: 'bedrock', model: 'anthropic.claude-3/v1' }],
    ['gpt-4o', { provider: 'openai', model: 'gpt-4o' }],
    ['o1-mini', { provider: 'openai', model: 'o1-mini' }],
    ['o3', { provider: 'openai', model: 'o3' }],
    ['o4-mini', { provider: 'openai', model: 'o4-mini' }],
    ['Claude-3-opus', { provider: 'anthropic', model: 'Claude-3-opus' }],
    ['llama3.1', { provider: 'anthropic', model: 'llama3.1' }],
    ['o2-custom', { provider: 'anthropic', model: 'o2-custom' }],
  ])('%s → %o (no environment)', (input, expected) => {
    expect(parseModel(input)).toEqual(expected);
  });

  it('lets the environment pick the provider of a bare id no name rule claims: OLLAMA_HOST first, then OPENAI_API_KEY', () => {
    expect(parseModel('llama3.1', { OLLAMA_HOST: 'http://gpu:11434' })).toEqual({ provider: 'ollama', model: 'llama3.1' });
    expect(parseModel('llama3.1', { OPENAI_API_KEY: 'set' })).toEqual({ provider: 'openai', model: 'llama3.1' });
    expect(parseModel('llama3.1', { OLLAMA_HOST: 'http://gpu:11434', OPENAI_API_KEY: 'set' }).provider).toBe('ollama');
    expect(parseModel('llama3.1', { OLLAMA_HOST: '', OPENAI_API_KEY: '' }).provider).toBe('anthropic');
  });

  it('never lets the environment override a prefix or a recognised name', () => {
    const env = { OLLAMA_HOST: 'http://gpu:11434', OPENAI_API_KEY: 'set' };
    expect(parseModel('claude-haiku-4-5', env).provider).toBe('anthropic');
    expect(parseModel('gpt-4o', env).provider).toBe('openai');
    expect(parseModel('anthropic/my-model', env).provider).toBe('anthropic');
  });
});

describe('SUPPORTED_PROVIDERS', () => {
  it('lists anthropic, openai and ollama', () => {
    expect(SUPPORTED_PROVIDERS).toEqual(['anthropic', 'openai', 'ollama']);
    expect(isSupportedProvider('ollama')).toBe(true);
    expect(isSupportedProvider('bedrock')).toBe(false);
  });
});

describe('modelId (what the runtime sends)', () => {
  it.each([
    ['openai/gpt-4o-mini', 'openai', 'gpt-4o-mini'],
    ['OpenAI/gpt-4o', 'OpenAI', 'gpt-4o'],
    ['OpenAI/gpt-4o', 'openai', 'gpt-4o'],
    ['ollama/library/llama3.1:8b', 'ollama', 'library/llama3.1:8b'],
    ['claude-haiku-4-5', 'anthropic', 'claude-haiku-4-5'],
    ['llama3.1', 'anthropic', 'llama3.1'],
  ])('%s (IR provider %s) → %s', (model, provider, expected) => {
    expect(modelId(model, provider)).toBe(expected);
  });
});
