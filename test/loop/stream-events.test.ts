import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../../shared/loop/types.js';
import { agent, prompt } from '../helpers/ir-builder.js';
import { say, scriptedProvider, useTools } from '../helpers/scripted-provider.js';
import { testTools } from '../helpers/test-tools.js';
import { harness } from './runtime-factory.js';

async function collect(events: AsyncIterable<RunEvent>): Promise<RunEvent[]> {
  const out: RunEvent[] = [];
  for await (const event of events) out.push(event);
  return out;
}

describe('stream events', () => {
  it('streams text, tool_call_start, tool_call_end and done, in the order they happen', async () => {
    // Prepare
    const tools = testTools({ name: 'lookup', handler: () => 'found' });
    const provider = scriptedProvider({ text: ['Let me ', 'check.'], toolUses: [{ id: 'toolu_1', name: 'lookup', input: { q: 1 } }] }, say('Found it.'));
    const { runtime } = harness(provider, [agent('bot')], { tools });

    // Act
    const events = await collect(runtime.stream('bot', { message: 'find' }));

    // Assess
    expect(events.map((e) => e.type)).toEqual(['text', 'text', 'tool_call_start', 'tool_call_end', 'text', 'done']);
    expect(events[2]).toEqual({ type: 'tool_call_start', data: { id: 'toolu_1', name: 'lookup', input: { q: 1 } } });
    expect(events[3]).toMatchObject({ type: 'tool_call_end', data: { id: 'toolu_1', status: 'ok', output: 'found' } });
    const done = events.at(-1)!;
    expect(done.type === 'done' && done.data).toMatchObject({ output: 'Found it.', turns: 2, tool_calls: [{ name: 'lookup' }] });
  });

  it('gives the same result as invoke', async () => {
    const script = () => scriptedProvider(useTools({ name: 'lookup', id: 'x' }), say('same'));
    const tools = testTools({ name: 'lookup', handler: () => 1 });
    const a = harness(script(), [agent('bot')], { tools, now: () => 0 });
    const b = harness(script(), [agent('bot')], { tools, now: () => 0 });

    const invoked = await a.runtime.invoke('bot', { message: 'q' });
    const streamed = (await collect(b.runtime.stream('bot', { message: 'q' }))).at(-1)!;

    expect(streamed).toEqual({ type: 'done', data: invoked });
  });

  it('ends with one error event for an invalid request instead of throwing', async () => {
    const { runtime } = harness(scriptedProvider(), [
      prompt('p', 'Hi {{who}}', [{ name: 'who', type: 'string', required: true }]),
      agent('bot', { prompt: 'p' }),
    ]);

    const unknown = await collect(runtime.stream('nobody', { message: 'x' }));
    const missing = await collect(runtime.stream('bot', { message: 'x' }));

    expect(unknown).toEqual([{ type: 'error', data: { error: 'not_found', message: 'No agent named "nobody".', details: { agent: 'nobody' } } }]);
    expect(missing).toHaveLength(1);
    expect(missing[0]).toMatchObject({ type: 'error', data: { error: 'invalid_request', details: { variable: 'who' } } });
  });

  it('ends with an error event carrying the partial output when a limit stops the run', async () => {
    const provider = scriptedProvider().otherwise({ text: 'more…', toolUses: [{ name: 'poll', input: {} }] });
    const { runtime } = harness(provider, [agent('bot', { max_turns: 2 })], { tools: testTools({ name: 'poll' }) });

    const events = await collect(runtime.stream('bot', { message: 'x' }));

    expect(events.at(-1)).toMatchObject({ type: 'error', data: { error: 'max_turns_exceeded', details: { partial_output: 'more…more…', turns: 2 } } });
  });
});
