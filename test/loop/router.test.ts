import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../../shared/loop/types.js';
import { agent, prompt } from '../helpers/ir-builder.js';
import { requestText, say, scriptedProvider, useTools } from '../helpers/scripted-provider.js';
import { harness } from './runtime-factory.js';
import { afterEach, beforeEach } from 'vitest';
import { startFakeAnthropic, type FakeAnthropic } from '../helpers/fake-anthropic/index.js';
import { fakeServerRuntime, sentText } from './runtime-factory.js';

const resources = () => [
  agent('front', {
    strategy: 'router',
    delegates: [
      { agent: 'billing', when: 'invoices or refunds' },
      { agent: 'tech', when: 'technical problems' },
    ],
  }),
  prompt('billing-p', 'You are billing.'),
  agent('billing', { prompt: 'billing-p' }),
  agent('tech'),
];

describe('router strategy', () => {
  it('forces a route call over the delegates, then hands the message to the one picked', async () => {
    // Prepare
    const provider = scriptedProvider(useTools({ name: 'route', input: { agent: 'billing' } }), say('Your refund is on its way.'));
    const { runtime } = harness(provider, resources());

    // Act
    const events: RunEvent[] = [];
    for await (const event of runtime.stream('front', { message: 'Where is my refund?' })) events.push(event);

    // Assess
    const classify = provider.requests[0]!;
    expect(classify.tool_choice).toEqual({ type: 'tool', name: 'route' });
    expect(classify.tools).toHaveLength(1);
    expect(classify.tools![0]!.input_schema).toMatchObject({ properties: { agent: { enum: ['billing', 'tech'] } } });
    expect(classify.tools![0]!.description).toContain('invoices or refunds');
    expect(provider.requests[1]!.system).toBe('You are billing.');
    expect(requestText(provider.requests[1]!)).toBe('Where is my refund?');
    const done = events.at(-1)!;
    expect(done.type === 'done' && done.data).toMatchObject({
      output: 'Your refund is on its way.',
      tool_calls: [{ name: 'route', output: { agent: 'billing' } }],
    });
    expect(events.filter((e) => e.type === 'text')).toEqual([{ type: 'text', data: { text: 'Your refund is on its way.' } }]);
    expect(done.type === 'done' && done.data.tokens.total).toBe(30);
  });

  it('fails with upstream_error when the model picks no delegate', async () => {
    const provider = scriptedProvider(useTools({ name: 'route', input: { agent: 'sales' } }));
    const { runtime } = harness(provider, resources());

    await expect(runtime.invoke('front', { message: 'x' })).rejects.toMatchObject({ code: 'upstream_error', details: { picked: 'sales' } });
  });
});

describe('router through the Anthropic provider and the fake Messages API', () => {
  let fake: FakeAnthropic;
  beforeEach(async () => {
    fake = await startFakeAnthropic();
  });
  afterEach(async () => {
    await fake.close();
  });

  it('sends the forced route tool on the wire and the message to the picked delegate', async () => {
    fake.script({ toolUses: [{ name: 'route', input: { agent: 'tech' } }] }, { text: 'Restart the router.' });
    const { runtime } = fakeServerRuntime(fake, resources());

    const result = await runtime.invoke('front', { message: 'My wifi is down' });

    expect(result.output).toBe('Restart the router.');
    expect(fake.requests[0]!.body.tool_choice).toEqual({ type: 'tool', name: 'route' });
    expect(sentText(fake.requests[1]!)).toBe('My wifi is down');
    expect(fake.requests[1]!.body.tools).toBeUndefined();
  });
});
