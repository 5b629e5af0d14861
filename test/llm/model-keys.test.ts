/**
 * The model keys a package needs: per key variable the agents calling that
 * provider through `model` or `models`; the environment's rule for bare ids
 * only when an environment is given; keys already set are not missing.
 */
import { describe, expect, it } from 'vitest';
import { missingModelKeys, modelKeysNeeded } from '../../shared/llm/model-keys.js';
import { agent, irOf } from '../helpers/ir-builder.js';

const ir = irOf(
  agent('claude', { model: 'claude-haiku-4-5' }),
  agent('gpt', { model: 'openai/gpt-4o-mini', provider: 'openai' }),
  agent('local', { model: 'ollama/llama3.1', provider: 'ollama' }),
  agent('chain', { model: 'ollama/llama3.1', provider: 'ollama', models: ['ollama/llama3.1', 'gpt-4o'] }),
  agent('bare', { model: 'llama3.1' }),
);

describe('modelKeysNeeded', () => {
  it('maps each key variable to the agents whose model or chain calls that provider; Ollama needs none', () => {
    expect(Object.fromEntries(modelKeysNeeded(ir))).toEqual({
      ANTHROPIC_API_KEY: ['claude', 'bare'],
      OPENAI_API_KEY: ['gpt', 'chain'],
    });
  });

  it('routes a bare id by the environment given, as the runtime does', () => {
    expect(modelKeysNeeded(ir, { OLLAMA_HOST: 'http://gpu:11434' }).get('ANTHROPIC_API_KEY')).toEqual(['claude']);
    expect(modelKeysNeeded(ir, { OPENAI_API_KEY: 'set' }).get('OPENAI_API_KEY')).toEqual(['gpt', 'chain', 'bare']);
  });

  it('looks only at the agents named', () => {
    expect(Object.fromEntries(modelKeysNeeded(ir, {}, ['local']))).toEqual({});
  });
});

describe('missingModelKeys', () => {
  it('names the variables that are unset or empty, never a value', () => {
    const missing = missingModelKeys(ir, { ANTHROPIC_API_KEY: 'test-anthropic-value', OPENAI_API_KEY: '' });
    expect(Object.fromEntries(missing)).toEqual({ OPENAI_API_KEY: ['gpt', 'chain'] });
  });

  it('is empty for an Anthropic-only package with its key set', () => {
    expect(missingModelKeys(irOf(agent('claude')), { ANTHROPIC_API_KEY: 'test-anthropic-value' }).size).toBe(0);
  });
});
