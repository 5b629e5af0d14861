import { describe, expect, it } from 'vitest';
import { agent } from '../helpers/ir-builder.js';
import { say, scriptedProvider, useTools } from '../helpers/scripted-provider.js';
import { testTools } from '../helpers/test-tools.js';
import { harness } from './runtime-factory.js';
import { afterEach, beforeEach } from 'vitest';
import { startFakeAnthropic, type FakeAnthropic } from '../helpers/fake-anthropic/index.js';
import { fakeServerRuntime } from './runtime-factory.js';

describe('tool concurrency', () => {
  it('runs the tool uses of one response at the same time', async () => {
    // Prepare: three tools of 200 ms each
    const tools = testTools(
      { name: 'a', delayMs: 200, handler: () => 'A' },
      { name: 'b', delayMs: 200, handler: () => 'B' },
      { name: 'c', delayMs: 200, handler: () => 'C' },
    );
    const provider = scriptedProvider(useTools({ name: 'a' }, { name: 'b' }, { name: 'c' }), say('all done'));
    const { runtime } = harness(provider, [agent('bot')], { tools });
    const started = performance.now();

    // Act
    const result = await runtime.invoke('bot', { message: 'go' });

    // Assess: about 200 ms, not 600
    expect(performance.now() - started).toBeLessThan(450);
    expect(result.tool_calls).toHaveLength(3);
  });

  it('returns the results in the order the model asked, whatever order they finish in', async () => {
    const tools = testTools(
      { name: 'slow', delayMs: 120, handler: () => 'slow result' },
      { name: 'fast', delayMs: 5, handler: () => 'fast result' },
      { name: 'mid', delayMs: 60, handler: () => 'mid result' },
    );
    const provider = scriptedProvider(useTools({ name: 'slow', id: 't1' }, { name: 'fast', id: 't2' }, { name: 'mid', id: 't3' }), say('ok'));
    const { runtime } = harness(provider, [agent('bot')], { tools });

    await runtime.invoke('bot', { message: 'go' });

    const results = provider.requests[1]!.messages[2]!.content;
    expect(results).toEqual([
      { type: 'tool_result', tool_use_id: 't1', content: 'slow result' },
      { type: 'tool_result', tool_use_id: 't2', content: 'fast result' },
      { type: 'tool_result', tool_use_id: 't3', content: 'mid result' },
    ]);
  });

  it('serves concurrent invocations of one agent independently', async () => {
    const provider = scriptedProvider().otherwise((request) => ({ text: `echo ${(request.messages[0]!.content[0] as { text: string }).text}`, delayMs: 20 }));
    const { runtime } = harness(provider, [agent('bot')]);

    const results = await Promise.all(['one', 'two', 'three'].map((message) => runtime.invoke('bot', { message })));

    expect(results.map((r) => r.output)).toEqual(['echo one', 'echo two', 'echo three']);
  });
});

describe('tool concurrency through the Anthropic provider and the fake Messages API', () => {
  let fake: FakeAnthropic;
  beforeEach(async () => {
    fake = await startFakeAnthropic();
  });
  afterEach(async () => {
    await fake.close();
  });

  it('three tools of 200 ms asked in one response finish in about 200 ms, results in the model’s order', async () => {
    // Prepare
    const tools = testTools(
      { name: 'a', delayMs: 200, handler: () => 'A' },
      { name: 'b', delayMs: 200, handler: () => 'B' },
      { name: 'c', delayMs: 200, handler: () => 'C' },
    );
    fake.script(
      {
        toolUses: [
          { id: 't_a', name: 'a', input: {} },
          { id: 't_b', name: 'b', input: {} },
          { id: 't_c', name: 'c', input: {} },
        ],
      },
      { text: 'ABC' },
    );
    const { runtime } = fakeServerRuntime(fake, [agent('bot')], { tools });

    // Act
    const result = await runtime.invoke('bot', { message: 'go' });

    // Assess
    const toolSpan = Math.max(...tools.calls.map((c) => c.endedAt!)) - Math.min(...tools.calls.map((c) => c.startedAt));
    expect(toolSpan).toBeLessThan(450);
    expect(result.output).toBe('ABC');
    const results = (fake.requests[1]!.body.messages as { content: { tool_use_id: string; content: string }[] }[])[2]!.content;
    expect(results.map((r) => [r.tool_use_id, r.content])).toEqual([
      ['t_a', 'A'],
      ['t_b', 'B'],
      ['t_c', 'C'],
    ]);
  });
});
