import { describe, expect, it } from 'vitest';
import { agent, prompt } from '../helpers/ir-builder.js';
import { requestText, say, scriptedProvider, useTools } from '../helpers/scripted-provider.js';
import { testTools } from '../helpers/test-tools.js';
import { harness } from './runtime-factory.js';

describe('delegation', () => {
  it('offers each delegate as a hand-off tool described by its "when"', async () => {
    const provider = scriptedProvider(say('no need'));
    const { runtime } = harness(provider, [agent('support', { delegates: [{ agent: 'billing', when: 'the user asks about invoices' }] }), agent('billing')]);

    await runtime.invoke('support', { message: 'hi' });

    const tool = provider.requests[0]!.tools!.find((t) => t.name === 'delegate_to_billing');
    expect(tool?.description).toContain('the user asks about invoices');
    expect(tool?.input_schema).toMatchObject({ required: ['message'] });
  });

  it('runs the delegate with its own prompt and tools and returns its answer as the tool result', async () => {
    // Prepare
    const tools = testTools({ name: 'invoices', agents: ['billing'], handler: () => 'INV-7: paid' });
    const provider = scriptedProvider(
      useTools({ name: 'delegate_to_billing', input: { message: 'Is INV-7 paid?' }, id: 'toolu_d' }),
      useTools({ name: 'invoices' }),
      say('INV-7 is paid.', { input: 50, output: 6 }),
      say('Billing says INV-7 is paid.'),
    );
    const { runtime } = harness(
      provider,
      [
        prompt('billing-prompt', 'You are the billing desk.'),
        agent('support', { delegates: [{ agent: 'billing', when: 'invoices' }] }),
        agent('billing', { prompt: 'billing-prompt' }),
      ],
      { tools },
    );

    // Act
    const result = await runtime.invoke('support', { message: 'Is my invoice INV-7 paid?' });

    // Assess
    expect(result.output).toBe('Billing says INV-7 is paid.');
    const delegateCall = provider.requests[1]!;
    expect(delegateCall.system).toBe('You are the billing desk.');
    expect(delegateCall.tools!.map((t) => t.name)).toEqual(['invoices']);
    expect(requestText(delegateCall)).toBe('Is INV-7 paid?');
    expect(provider.requests[3]!.messages[2]!.content).toEqual([{ type: 'tool_result', tool_use_id: 'toolu_d', content: 'INV-7 is paid.' }]);
    expect(result.tool_calls.map((c) => c.name)).toEqual(['delegate_to_billing']);
    expect(result.tokens.total).toBe(15 + 15 + 56 + 15);
  });

  it('bounds the delegation depth: a hand-off beyond it is an error result, not a crash', async () => {
    // Prepare: a → b → a → … with every model asking to hand off again
    const provider = scriptedProvider().otherwise((request) => {
      const handOff = request.tools?.find((t) => t.name.startsWith('delegate_to_'));
      const lastBlock = request.messages.at(-1)!.content[0]!;
      if (lastBlock.type === 'tool_result') return say(`stopped: ${lastBlock.content}`);
      return useTools({ name: handOff!.name, input: { message: 'pass it on' } });
    });
    const { runtime } = harness(
      provider,
      [agent('a', { delegates: [{ agent: 'b', when: 'always' }] }), agent('b', { delegates: [{ agent: 'a', when: 'always' }] })],
      { maxDelegationDepth: 2 },
    );

    // Act
    const result = await runtime.invoke('a', { message: 'start' });

    // Assess: a (depth 0) → b (1) → a (2); the hand-off from depth 2 is refused
    expect(provider.requests).toHaveLength(6);
    const refused = provider.requests[3]!.messages.at(-1)!.content[0]!;
    expect(refused).toMatchObject({ type: 'tool_result', is_error: true });
    expect(refused.type === 'tool_result' && refused.content).toContain('delegation depth limit (2)');
    expect(result.output).toMatch(/^stopped: /);
  });

  it('passes a delegate failure back to the delegating model as an error result', async () => {
    const provider = scriptedProvider(
      useTools({ name: 'delegate_to_helper', input: { message: 'x' } }),
      { error: new Error('helper upstream broke') },
      say('The helper is down, sorry.'),
    );
    const { runtime } = harness(provider, [agent('boss', { delegates: [{ agent: 'helper', when: 'always' }] }), agent('helper')]);

    const result = await runtime.invoke('boss', { message: 'go' });

    expect(result.output).toBe('The helper is down, sorry.');
    expect(result.tool_calls[0]).toMatchObject({ name: 'delegate_to_helper', status: 'error' });
  });
});
