import { describe, expect, it } from 'vitest';
import { createProviderFor } from '../../shared/llm/anthropic-provider.js';
import { parseModel } from '../../shared/llm/model-string.js';

describe('parseModel', () => {
  it.each([
    ['claude-sonnet-4-20250514', { provider: 'anthropic', model: 'claude-sonnet-4-20250514' }],
    ['anthropic/claude-haiku-4-5', { provider: 'anthropic', model: 'claude-haiku-4-5' }],
    ['openai/gpt-4o-mini', { provider: 'openai', model: 'gpt-4o-mini' }],
    ['bedrock/anthropic.claude-3/v1', { provider: 'bedrock', model: 'anthropic.claude-3/v1' }],
  ])('%s → %o', (input, expected) => {
    expect(parseModel(input)).toEqual(expected);
  });
});

describe('createProviderFor', () => {
  it('returns one Anthropic provider for "anthropic"', () => {
    const provider = createProviderFor('anthropic');
    expect(typeof provider.stream).toBe('function');
    expect(createProviderFor('anthropic')).toBe(provider);
  });

  it('refuses any other provider with config_error naming it', () => {
    expect(() => createProviderFor('openai')).toThrow(expect.objectContaining({ code: 'config_error', message: expect.stringContaining('"openai"') }));
  });
});
