import { describe, expect, it } from 'vitest';
import type { TelemetryEvent } from '../../shared/telemetry/events.js';
import { agent } from '../helpers/ir-builder.js';
import { say, scriptedProvider, useTools } from '../helpers/scripted-provider.js';
import { testTools } from '../helpers/test-tools.js';
import { harness } from './runtime-factory.js';

describe('telemetry events', () => {
  it('reports invocations, model calls and tool calls, nested invocations linked to their parent', async () => {
    // Prepare
    const events: TelemetryEvent[] = [];
    const provider = scriptedProvider(
      useTools({ name: 'lookup' }, { name: 'delegate_to_helper', input: { message: 'help' } }),
      say('helped', { input: 3, output: 2 }),
      say('done'),
    );
    const { runtime } = harness(provider, [agent('boss', { delegates: [{ agent: 'helper', when: 'always' }] }), agent('helper')], {
      tools: testTools({ name: 'lookup' }),
      observer: { record: (event) => events.push(event) },
    });

    // Act
    await runtime.invoke('boss', { message: 'go' });

    // Assess
    const seen = events.map((e) => `${e.type}:${e.agent}`);
    expect(seen[0]).toBe('invocation_start:boss');
    expect(seen.at(-1)).toBe('invocation_end:boss');
    // the two tools of the first response run concurrently, so only their counts and nesting are fixed
    expect([...seen].sort()).toEqual(
      [
        'invocation_start:boss',
        'invocation_end:boss',
        'model_call:boss',
        'model_call:boss',
        'tool_call:boss',
        'tool_call:boss',
        'invocation_start:helper',
        'model_call:helper',
        'invocation_end:helper',
      ].sort(),
    );
    expect(seen.indexOf('invocation_start:helper')).toBeLessThan(seen.indexOf('model_call:helper'));
    expect(seen.indexOf('invocation_end:helper')).toBeLessThan(seen.lastIndexOf('tool_call:boss'));
    const bossStart = events[0]!;
    const helperStart = events.find((e) => e.type === 'invocation_start' && e.agent === 'helper');
    expect(helperStart).toMatchObject({ parent_invocation_id: bossStart.invocation_id });
    expect(events.at(-1)).toMatchObject({ type: 'invocation_end', status: 'ok', tokens: { total: 15 + 5 + 15 } });
    expect(
      events
        .filter((e) => e.type === 'tool_call')
        .map((e) => e.type === 'tool_call' && e.tool)
        .sort(),
    ).toEqual(['delegate_to_helper', 'lookup']);
  });

  it('reports a failed invocation with its error code', async () => {
    const events: TelemetryEvent[] = [];
    const provider = scriptedProvider({ error: new Error('boom') });
    const { runtime } = harness(provider, [agent('bot')], { observer: { record: (event) => events.push(event) } });

    await expect(runtime.invoke('bot', { message: 'x' })).rejects.toThrow();

    expect(events.map((e) => e.type)).toEqual(['invocation_start', 'model_call', 'invocation_end']);
    expect(events[1]).toMatchObject({ status: 'error' });
    expect(events[2]).toMatchObject({ status: 'error', error_code: 'upstream_error' });
  });
});
