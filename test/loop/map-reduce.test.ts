import { describe, expect, it } from 'vitest';
import { partsOf } from '../../shared/loop/strategies/map-reduce.js';
import { agent } from '../helpers/ir-builder.js';
import { requestText, say, scriptedProvider, useTools } from '../helpers/scripted-provider.js';
import { testTools } from '../helpers/test-tools.js';
import { harness } from './runtime-factory.js';
import { afterEach, beforeEach } from 'vitest';
import { startFakeAnthropic, type FakeAnthropic } from '../helpers/fake-anthropic/index.js';
import { fakeServerRuntime, sentText } from './runtime-factory.js';

describe('map-reduce strategy', () => {
  it('splits with a forced tool, runs the parts concurrently with tools, then combines', async () => {
    // Prepare: each part calls a 150 ms tool
    const tools = testTools({ name: 'read', delayMs: 150, handler: (input) => `text of ${(input as { file: string }).file}` });
    const provider = scriptedProvider((request) => {
      expect(request.tool_choice).toEqual({ type: 'tool', name: 'split' });
      return useTools({ name: 'split', input: { parts: ['summarise a.txt', 'summarise b.txt', 'summarise c.txt'] } });
    }).otherwise((request) => {
      const text = requestText(request);
      if (text.includes('Combine these results')) return say('a, b and c summarised');
      const file = /summarise (\w\.txt)/.exec(text)![1]!;
      return request.messages.at(-1)!.content[0]!.type === 'tool_result' ? say(`summary of ${file}`) : useTools({ name: 'read', input: { file } });
    });
    const { runtime } = harness(provider, [agent('mr', { strategy: 'map-reduce' })], { tools });

    // Act
    const result = await runtime.invoke('mr', { message: 'Summarise the three files' });

    // Assess
    // the parts' tools overlap: one after another they would span 450 ms
    const span = Math.max(...tools.calls.map((c) => c.endedAt!)) - Math.min(...tools.calls.map((c) => c.startedAt));
    expect(span).toBeLessThan(400);
    expect(result.output).toBe('a, b and c summarised');
    expect(result.turns).toBe(1 + 3 * 2 + 1);
    const combine = requestText(provider.requests.at(-1)!);
    for (const file of ['a.txt', 'b.txt', 'c.txt']) expect(combine).toContain(`summary of ${file}`);
    expect(tools.calls.map((c) => c.input)).toHaveLength(3);
  });

  it('treats an unusable split as one part', () => {
    expect(partsOf({ parts: [] }, 'whole')).toEqual(['whole']);
    expect(partsOf({ parts: ['x', 3, ' '] }, 'whole')).toEqual(['x']);
    expect(partsOf('nonsense', 'whole')).toEqual(['whole']);
  });
});

describe('map-reduce through the Anthropic provider and the fake Messages API', () => {
  let fake: FakeAnthropic;
  beforeEach(async () => {
    fake = await startFakeAnthropic();
  });
  afterEach(async () => {
    await fake.close();
  });

  it('splits over a forced tool, runs the parts as concurrent requests, combines their results', async () => {
    // Prepare: each part's answer is delayed 300 ms; parts run one by one would arrive 300 ms apart
    const partArrivals: number[] = [];
    fake.respond((request) => {
      const text = sentText(request);
      if (request.body.tool_choice && (request.body.tool_choice as { name?: string }).name === 'split') {
        return { toolUses: [{ name: 'split', input: { parts: ['red', 'green', 'blue'] } }] };
      }
      if (text.includes('Combine these results')) return { text: 'combined' };
      const part = /Your part of the work: (\w+)/.exec(text)![1]!;
      partArrivals.push(performance.now());
      return { text: `result ${part}`, firstByteDelayMs: 300 };
    });
    const { runtime } = fakeServerRuntime(fake, [agent('mr', { strategy: 'map-reduce' })]);

    // Act
    const result = await runtime.invoke('mr', { message: 'Describe three colours' });

    // Assess
    expect(partArrivals).toHaveLength(3);
    expect(Math.max(...partArrivals) - Math.min(...partArrivals)).toBeLessThan(250);
    expect(result.output).toBe('combined');
    expect(fake.requests).toHaveLength(5);
    const combine = sentText(fake.requests[4]!);
    for (const part of ['red', 'green', 'blue']) expect(combine).toContain(`result ${part}`);
  });
});
