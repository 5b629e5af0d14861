import { describe, expect, it, vi } from 'vitest';
import { agent } from '../helpers/ir-builder.js';
import { say, scriptedProvider, useTools } from '../helpers/scripted-provider.js';
import { testTools } from '../helpers/test-tools.js';
import { harness } from './runtime-factory.js';
import { afterEach, beforeEach } from 'vitest';
import { startFakeAnthropic, type FakeAnthropic } from '../helpers/fake-anthropic/index.js';
import { fakeServerRuntime } from './runtime-factory.js';

describe('cancellation', () => {
  it('aborting the caller signal mid-stream aborts the model call and fails with cancelled', async () => {
    const provider = scriptedProvider({ text: ['a', 'b', 'c', 'd'], delayMs: 100 });
    const { runtime } = harness(provider, [agent('bot')]);
    const controller = new AbortController();

    const events = [];
    for await (const event of runtime.stream('bot', { message: 'x', signal: controller.signal })) {
      events.push(event);
      if (event.type === 'text') controller.abort();
    }

    expect(events).toEqual([
      { type: 'text', data: { text: 'a' } },
      { type: 'error', data: { error: 'cancelled', message: 'The invocation was cancelled.', details: expect.objectContaining({ partial_output: 'a' }) } },
    ]);
    expect(provider.signals[0]!.aborted).toBe(true);
  });

  it('aborting while tools run aborts the signal each running tool got', async () => {
    const tools = testTools({ name: 'slow1', delayMs: 5_000 }, { name: 'slow2', delayMs: 5_000 });
    const provider = scriptedProvider(useTools({ name: 'slow1' }, { name: 'slow2' }), say('never'));
    const { runtime } = harness(provider, [agent('bot')], { tools });
    const controller = new AbortController();
    const run = runtime.invoke('bot', { message: 'x', signal: controller.signal });
    while (tools.calls.length < 2) await new Promise((r) => setTimeout(r, 5));

    controller.abort();

    await expect(run).rejects.toMatchObject({ code: 'cancelled' });
    expect(tools.calls.map((c) => c.signal.aborted)).toEqual([true, true]);
    expect(provider.requests).toHaveLength(1);
  });

  it('a stream consumer that stops early cancels the run', async () => {
    const tools = testTools({ name: 'slow', delayMs: 5_000 });
    const provider = scriptedProvider({ text: 'working', toolUses: [{ name: 'slow', input: {} }] }, say('never'));
    const { runtime } = harness(provider, [agent('bot')], { tools });

    for await (const event of runtime.stream('bot', { message: 'x' })) {
      if (event.type === 'tool_call_start') break;
    }

    // the run winds down after the consumer left: waited for, not slept on
    await vi.waitFor(() => {
      expect(tools.calls[0]!.signal.aborted).toBe(true);
      expect(runtime.agents()[0]!.counters.errors).toBe(1);
    });
  });
});

describe('cancellation through the Anthropic provider and the fake Messages API', () => {
  let fake: FakeAnthropic;
  beforeEach(async () => {
    fake = await startFakeAnthropic();
  });
  afterEach(async () => {
    await fake.close();
  });

  it('aborting mid-stream closes the connection to the API', async () => {
    // Prepare: the model starts answering and never finishes
    fake.script({ text: 'Once upon', hang: true });
    const { runtime } = fakeServerRuntime(fake, [agent('bot')]);
    const controller = new AbortController();

    // Act
    const events = [];
    for await (const event of runtime.stream('bot', { message: 'tell a story', signal: controller.signal })) {
      events.push(event);
      if (event.type === 'text') controller.abort();
    }
    await fake.nextAbort();

    // Assess
    expect(fake.aborted).toBe(1);
    expect(events.at(-1)).toMatchObject({ type: 'error', data: { error: 'cancelled' } });
  });

  it('aborting while tools run aborts their signals and sends no further model call', async () => {
    const tools = testTools({ name: 'slow', delayMs: 5_000 });
    fake.script({ toolUses: [{ name: 'slow', input: {} }] }, { text: 'never' });
    const { runtime } = fakeServerRuntime(fake, [agent('bot')], { tools });
    const controller = new AbortController();
    const run = runtime.invoke('bot', { message: 'x', signal: controller.signal });
    while (tools.calls.length < 1) await new Promise((r) => setTimeout(r, 5));

    controller.abort();

    await expect(run).rejects.toMatchObject({ code: 'cancelled' });
    expect(tools.calls[0]!.signal.aborted).toBe(true);
    expect(fake.requests).toHaveLength(1);
  });
});
