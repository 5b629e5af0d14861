import { describe, expect, it } from 'vitest';
import { agent, prompt } from '../helpers/ir-builder.js';
import { say, scriptedProvider } from '../helpers/scripted-provider.js';
import { harness } from './runtime-factory.js';

const support = () =>
  prompt('support', 'You help {{customer}} with orders. Tone: {{ tone }}. Max {{limit}} items.', [
    { name: 'customer', type: 'string', required: true },
    { name: 'tone', type: 'string', required: false, default: 'friendly' },
    { name: 'limit', type: 'number', required: false, default: 3 },
  ]);

describe('prompt variables', () => {
  it('substitutes given variables and fills the rest from declared defaults', async () => {
    const provider = scriptedProvider(say('ok'));
    const { runtime } = harness(provider, [support(), agent('bot', { prompt: 'support' })]);

    await runtime.invoke('bot', { message: 'hi', variables: { customer: 'Ada', limit: 5 } });

    expect(provider.requests[0]!.system).toBe('You help Ada with orders. Tone: friendly. Max 5 items.');
  });

  it('rejects a missing required variable with invalid_request naming it, before any model call', async () => {
    const provider = scriptedProvider(say('ok'));
    const { runtime } = harness(provider, [support(), agent('bot', { prompt: 'support' })]);

    const failure = runtime.invoke('bot', { message: 'hi', variables: { tone: 'dry' } });

    await expect(failure).rejects.toMatchObject({ code: 'invalid_request', message: expect.stringContaining('"customer"'), details: { variable: 'customer' } });
    expect(provider.requests).toHaveLength(0);
  });

  it('rejects a variable of the wrong type', async () => {
    const { runtime } = harness(scriptedProvider(say('ok')), [support(), agent('bot', { prompt: 'support' })]);

    await expect(runtime.invoke('bot', { message: 'hi', variables: { customer: 'Ada', limit: 'many' } })).rejects.toMatchObject({
      code: 'invalid_request',
      details: { variable: 'limit' },
    });
  });

  it('sends no system prompt for an agent without a prompt', async () => {
    const provider = scriptedProvider(say('ok'));
    const { runtime } = harness(provider, [agent('bot')]);

    await runtime.invoke('bot', { message: 'hi' });

    expect(provider.requests[0]!.system).toBeUndefined();
  });
});
