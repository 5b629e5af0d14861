import { describe, expect, it } from 'vitest';
import { parsePlan } from '../../shared/loop/strategies/plan-and-execute.js';
import type { RunEvent } from '../../shared/loop/types.js';
import { agent } from '../helpers/ir-builder.js';
import { requestText, say, scriptedProvider, useTools } from '../helpers/scripted-provider.js';
import { testTools } from '../helpers/test-tools.js';
import { harness } from './runtime-factory.js';

describe('plan-and-execute strategy', () => {
  it('plans, runs each step as its own tool loop, then synthesises the answer', async () => {
    // Prepare
    const tools = testTools({ name: 'search', handler: (input) => `hits for ${(input as { q: string }).q}` });
    const provider = scriptedProvider(
      say('1. Search for flights\n2. Search for hotels'),
      useTools({ name: 'search', input: { q: 'flights' } }),
      say('Flight F1 at 9:00'),
      useTools({ name: 'search', input: { q: 'hotels' } }),
      say('Hotel H2 downtown'),
      say('Take F1 at 9:00 and stay at H2.'),
    );
    const { runtime } = harness(provider, [agent('planner', { strategy: 'plan-and-execute' })], { tools });

    // Act
    const events: RunEvent[] = [];
    for await (const event of runtime.stream('planner', { message: 'Plan my trip' })) events.push(event);

    // Assess
    const done = events.at(-1)!;
    expect(done.type).toBe('done');
    expect(done.type === 'done' && done.data).toMatchObject({ output: 'Take F1 at 9:00 and stay at H2.', turns: 6 });
    expect(requestText(provider.requests[0]!)).toContain('numbered list');
    expect(provider.requests[0]!.tool_choice).toEqual({ type: 'none' });
    expect(requestText(provider.requests[1]!)).toContain('carry out step 1 only: Search for flights');
    expect(requestText(provider.requests[3]!)).toContain('Step 1 result:\nFlight F1 at 9:00');
    expect(requestText(provider.requests[3]!)).toContain('step 2 only: Search for hotels');
    const synthesis = requestText(provider.requests[5]!);
    expect(synthesis).toContain('Flight F1 at 9:00');
    expect(synthesis).toContain('Hotel H2 downtown');
    // only the synthesis is the streamed answer
    expect(events.filter((e) => e.type === 'text').map((e) => e.type === 'text' && e.data.text)).toEqual(['Take F1 at 9:00 and stay at H2.']);
    expect(tools.calls.map((c) => c.input)).toEqual([{ q: 'flights' }, { q: 'hotels' }]);
  });

  it('shares max_turns across the plan, the steps and the synthesis', async () => {
    const provider = scriptedProvider(say('1. a\n2. b\n3. c')).otherwise(say('step done'));
    const { runtime } = harness(provider, [agent('planner', { strategy: 'plan-and-execute', max_turns: 3 })]);

    await expect(runtime.invoke('planner', { message: 'x' })).rejects.toMatchObject({ code: 'max_turns_exceeded' });
    expect(provider.requests).toHaveLength(3);
  });

  it('reads numbered plans in the usual spellings and treats unnumbered text as one step', () => {
    expect(parsePlan('Here is the plan:\n1. First\n2) Second\nStep 3: Third\n')).toEqual(['First', 'Second', 'Third']);
    expect(parsePlan('Just answer directly')).toEqual(['Just answer directly']);
  });
});
