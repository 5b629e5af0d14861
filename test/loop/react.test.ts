import { describe, expect, it } from 'vitest';
import { agent } from '../helpers/ir-builder.js';
import { say, scriptedProvider, useTools } from '../helpers/scripted-provider.js';
import { testTools } from '../helpers/test-tools.js';
import { harness } from './runtime-factory.js';
import { afterEach, beforeEach } from 'vitest';
import { startFakeAnthropic, type FakeAnthropic } from '../helpers/fake-anthropic/index.js';
import { fakeServerRuntime } from './runtime-factory.js';
import { prompt } from '../helpers/ir-builder.js';

describe('react strategy', () => {
  it('calls the model, runs the tool it asks for, gives it the result and returns its answer', async () => {
    // Prepare
    const tools = testTools({ name: 'lookup', handler: (input) => ({ found: (input as { id: string }).id }) });
    const provider = scriptedProvider(useTools({ name: 'lookup', input: { id: 'A1' }, id: 'toolu_1' }), say('Order A1 is shipped.'));
    const { runtime } = harness(provider, [agent('bot')], { tools });

    // Act
    const result = await runtime.invoke('bot', { message: 'Where is A1?' });

    // Assess
    expect(result.output).toBe('Order A1 is shipped.');
    expect(result.turns).toBe(2);
    expect(result.tool_calls).toMatchObject([{ id: 'toolu_1', name: 'lookup', input: { id: 'A1' }, output: { found: 'A1' }, status: 'ok' }]);
    expect(provider.requests[0]!.tools?.map((t) => t.name)).toEqual(['lookup']);
    const second = provider.requests[1]!.messages;
    expect(second.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
    expect(second[2]!.content).toEqual([{ type: 'tool_result', tool_use_id: 'toolu_1', content: '{"found":"A1"}' }]);
  });

  it('sums the tokens of every model call', async () => {
    const provider = scriptedProvider(
      { ...useTools({ name: 'lookup' }), usage: { input: 100, output: 20, cache_read: 50, cache_write: 10 } },
      say('done', { input: 200, output: 30, cache_read: 5, cache_write: 0 }),
    );
    const { runtime } = harness(provider, [agent('bot')], { tools: testTools({ name: 'lookup' }) });

    const result = await runtime.invoke('bot', { message: 'hi' });

    expect(result.tokens).toEqual({ input: 300, output: 50, cache_read: 55, cache_write: 10, total: 415 });
  });

  it('sends the model id without its provider prefix, the temperature and a max_tokens', async () => {
    const provider = scriptedProvider(say('ok'));
    const { runtime } = harness(provider, [agent('bot', { model: 'anthropic/claude-haiku-4-5', temperature: 0.2 })], { maxTokensPerCall: 1000 });

    await runtime.invoke('bot', { message: 'hi' });

    expect(provider.requests[0]).toMatchObject({ model: 'claude-haiku-4-5', temperature: 0.2, max_tokens: 1000 });
  });

  it('answers an unknown agent with not_found and an empty message with invalid_request', async () => {
    const { runtime } = harness(scriptedProvider(), [agent('bot')]);

    await expect(runtime.invoke('nobody', { message: 'hi' })).rejects.toMatchObject({ code: 'not_found' });
    await expect(runtime.invoke('bot', { message: '' })).rejects.toMatchObject({ code: 'invalid_request' });
  });

  it('turns a failing tool into an is_error result for the model and keeps going', async () => {
    const tools = testTools({
      name: 'flaky',
      handler: () => {
        throw new Error('disk on fire');
      },
    });
    const provider = scriptedProvider(useTools({ name: 'flaky', id: 'toolu_9' }), say('Sorry, the tool failed.'));
    const { runtime } = harness(provider, [agent('bot')], { tools });

    const result = await runtime.invoke('bot', { message: 'try it' });

    expect(result.output).toBe('Sorry, the tool failed.');
    expect(result.tool_calls[0]).toMatchObject({ name: 'flaky', status: 'error', error: 'disk on fire' });
    expect(provider.requests[1]!.messages[2]!.content).toEqual([{ type: 'tool_result', tool_use_id: 'toolu_9', content: 'disk on fire', is_error: true }]);
  });

  it('gives an unknown tool an is_error result too', async () => {
    const provider = scriptedProvider(useTools({ name: 'ghost', id: 'toolu_2' }), say('ok'));
    const { runtime } = harness(provider, [agent('bot')]);

    const result = await runtime.invoke('bot', { message: 'x' });

    expect(result.tool_calls[0]).toMatchObject({ name: 'ghost', status: 'error' });
    expect(provider.requests[1]!.messages[2]!.content[0]).toMatchObject({ is_error: true });
  });

  it('counts invocations, errors and tokens per agent', async () => {
    const provider = scriptedProvider(say('a', { input: 7, output: 3 }));
    const { runtime } = harness(provider, [agent('bot')]);

    await runtime.invoke('bot', { message: 'x' });
    await expect(runtime.invoke('bot', { message: 'y' })).rejects.toThrow();

    expect(runtime.agents()).toMatchObject([{ name: 'bot', strategy: 'react', counters: { invocations: 2, errors: 1, tokens: 10 } }]);
    expect(runtime.hasAgent('bot')).toBe(true);
    expect(runtime.hasAgent('other')).toBe(false);
  });
});

describe('react through the Anthropic provider and the fake Messages API', () => {
  let fake: FakeAnthropic;
  beforeEach(async () => {
    fake = await startFakeAnthropic();
  });
  afterEach(async () => {
    await fake.close();
  });

  it('runs the tool loop over the real wire format and sends the tool result back', async () => {
    // Prepare
    const tools = testTools({ name: 'lookup', handler: (input) => ({ status: `order ${(input as { id: string }).id} shipped` }) });
    fake.script(
      {
        text: 'Checking.',
        toolUses: [{ id: 'toolu_w1', name: 'lookup', input: { id: 'A1' } }],
        usage: { input_tokens: 120, output_tokens: 20, cache_creation_input_tokens: 100 },
      },
      { text: 'It has shipped.', usage: { input_tokens: 150, output_tokens: 10, cache_read_input_tokens: 100 } },
    );
    const { runtime } = fakeServerRuntime(fake, [prompt('p', 'You are support.'), agent('bot', { prompt: 'p', temperature: 0.3 })], { tools });

    // Act
    const result = await runtime.invoke('bot', { message: 'Where is A1?' });

    // Assess
    expect(result.output).toBe('It has shipped.');
    expect(result.tool_calls).toMatchObject([{ name: 'lookup', input: { id: 'A1' }, status: 'ok' }]);
    expect(result.tokens).toEqual({ input: 270, output: 30, cache_read: 100, cache_write: 100, total: 500 });
    expect(fake.requests).toHaveLength(2);
    const first = fake.requests[0]!.body;
    expect(first).toMatchObject({ model: 'claude-sonnet-4-20250514', temperature: 0.3, stream: true });
    expect((first.tools as { name: string }[]).map((t) => t.name)).toEqual(['lookup']);
    const second = fake.requests[1]!.body.messages as { role: string; content: unknown }[];
    expect(second[2]).toMatchObject({ role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_w1', content: '{"status":"order A1 shipped"}' }] });
  });
});
