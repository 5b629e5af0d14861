import { describe, expect, it } from 'vitest';
import { partsOf } from '../../shared/loop/strategies/map-reduce.js';
import { agent } from '../helpers/ir-builder.js';
import { requestText, say, scriptedProvider, useTools } from '../helpers/scripted-provider.js';
import { testTools } from '../helpers/test-tools.js';
import { harness } from './runtime-factory.js';

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
    const started = performance.now();

    // Act
    const result = await runtime.invoke('mr', { message: 'Summarise the three files' });

    // Assess
    expect(performance.now() - started).toBeLessThan(400);
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
