import { describe, expect, it } from 'vitest';
import type { TelemetryEvent } from '../../shared/telemetry/events.js';
import { agent } from '../helpers/ir-builder.js';
import { requestText, say, scriptedProvider, useTools } from '../helpers/scripted-provider.js';
import { testTools } from '../helpers/test-tools.js';
import { harness } from './runtime-factory.js';
import { afterEach, beforeEach } from 'vitest';
import { startFakeAnthropic, type FakeAnthropic } from '../helpers/fake-anthropic/index.js';
import { fakeServerRuntime, sentText } from './runtime-factory.js';

const cut = () => ({ text: 'partial', error: new Error('stream cut') });

describe('on_error', () => {
  it('retry: makes a failed model call again, up to max_retries', async () => {
    const provider = scriptedProvider(cut(), cut(), say('finally'));
    const { runtime } = harness(provider, [agent('bot', { on_error: 'retry', max_retries: 2 })]);

    const result = await runtime.invoke('bot', { message: 'hi' });

    expect(result.output).toBe('finally');
    expect(provider.requests).toHaveLength(3);
    expect(result.turns).toBe(1);
  });

  it('retry: gives up with upstream_error after max_retries', async () => {
    const provider = scriptedProvider(cut(), cut(), say('too late'));
    const { runtime } = harness(provider, [agent('bot', { on_error: 'retry', max_retries: 1 })]);

    await expect(runtime.invoke('bot', { message: 'hi' })).rejects.toMatchObject({ code: 'upstream_error' });
    expect(provider.requests).toHaveLength(2);
  });

  it('retry: keeps the tool results already obtained (the tool runs once)', async () => {
    const tools = testTools({ name: 'charge' });
    const provider = scriptedProvider(useTools({ name: 'charge' }), cut(), say('charged once'));
    const { runtime } = harness(provider, [agent('bot', { on_error: 'retry', max_retries: 1 })], { tools });

    const result = await runtime.invoke('bot', { message: 'charge me' });

    expect(result.output).toBe('charged once');
    expect(tools.calls).toHaveLength(1);
  });

  it('fail: the first failure ends the invocation', async () => {
    const provider = scriptedProvider(cut(), say('unused'));
    const { runtime } = harness(provider, [agent('bot', { on_error: 'fail', max_retries: 3 })]);

    await expect(runtime.invoke('bot', { message: 'hi' })).rejects.toMatchObject({ code: 'upstream_error' });
    expect(provider.requests).toHaveLength(1);
  });

  it('fallback: the fallback agent receives the conversation so far and answers', async () => {
    // Prepare: the main agent looks up an order, then its model call fails
    const tools = testTools({ name: 'lookup', handler: () => 'order 42: shipped' });
    const provider = scriptedProvider(useTools({ name: 'lookup', input: { id: 42 } }), cut(), say('Your order 42 has shipped.', { input: 40, output: 8 }));
    const { runtime } = harness(provider, [agent('main', { on_error: 'fallback', fallback: 'backup' }), agent('backup', { model: 'claude-haiku-4-5' })], {
      tools,
    });

    // Act
    const result = await runtime.invoke('main', { message: 'Where is order 42?' });

    // Assess
    expect(result.output).toBe('Your order 42 has shipped.');
    const fallbackRequest = provider.requests[2]!;
    expect(fallbackRequest.model).toBe('claude-haiku-4-5');
    const seen = requestText(fallbackRequest);
    expect(seen).toContain('Where is order 42?');
    expect(seen).toContain('order 42: shipped');
    expect(seen).toContain('upstream_error');
    expect(fallbackRequest.messages.at(-1)!.role).toBe('user');
    expect(result.tokens.total).toBe(15 + 48);
    expect(result.tool_calls.map((c) => c.name)).toEqual(['lookup']);
  });

  it('fallback: does not run for a cancelled invocation', async () => {
    // Prepare: a slow first answer that says when it was asked for
    let asked!: () => void;
    const modelAsked = new Promise<void>((resolve) => (asked = resolve));
    const slow = () => {
      asked();
      return { text: 'slow', delayMs: 5000 };
    };
    const provider = scriptedProvider(slow, say('backup answer'));
    const started: string[] = [];
    const observer = {
      record(event: TelemetryEvent) {
        if (event.type === 'invocation_start') started.push(event.agent);
      },
    };
    const { runtime } = harness(provider, [agent('main', { on_error: 'fallback', fallback: 'backup' }), agent('backup')], { observer });
    const controller = new AbortController();
    // Act: the caller aborts while the model call runs
    const invocation = runtime.invoke('main', { message: 'hi', signal: controller.signal });
    await modelAsked;
    controller.abort();
    // Assess
    await expect(invocation).rejects.toMatchObject({ code: 'cancelled' });
    expect(provider.requests).toHaveLength(1);
    expect(started).toEqual(['main']);
  });
});

describe('on_error through the Anthropic provider and the fake Messages API', () => {
  let fake: FakeAnthropic;
  beforeEach(async () => {
    fake = await startFakeAnthropic();
  });
  afterEach(async () => {
    await fake.close();
  });

  it('retry: an overloaded API answer is retried by the loop', async () => {
    fake.script({ status: 529, error: { type: 'overloaded_error', message: 'Overloaded' } }, { text: 'made it' });
    const { runtime } = fakeServerRuntime(fake, [agent('bot', { on_error: 'retry', max_retries: 2 })]);

    const result = await runtime.invoke('bot', { message: 'hi' });

    expect(result.output).toBe('made it');
    expect(fake.requests).toHaveLength(2);
  });

  it('retry: a bad request is not retried', async () => {
    fake.script({ status: 400, error: { type: 'invalid_request_error', message: 'bad' } }, { text: 'unused' });
    const { runtime } = fakeServerRuntime(fake, [agent('bot', { on_error: 'retry', max_retries: 2 })]);

    await expect(runtime.invoke('bot', { message: 'hi' })).rejects.toMatchObject({ code: 'upstream_error', details: { status: 400 } });
    expect(fake.requests).toHaveLength(1);
  });

  it('fallback: the fallback agent’s request carries the conversation so far', async () => {
    fake.script(
      { toolUses: [{ name: 'lookup', input: { id: 7 } }] },
      { status: 500, error: { type: 'api_error', message: 'boom' } },
      { text: 'Backup: order 7 is late.' },
    );
    const tools = testTools({ name: 'lookup', handler: () => 'order 7: delayed' });
    const { runtime } = fakeServerRuntime(fake, [agent('main', { on_error: 'fallback', fallback: 'backup' }), agent('backup')], { tools });

    const result = await runtime.invoke('main', { message: 'Status of order 7?' });

    expect(result.output).toBe('Backup: order 7 is late.');
    const seen = sentText(fake.requests[2]!);
    expect(seen).toContain('Status of order 7?');
    expect(seen).toContain('order 7: delayed');
    // written out as text: the API rejects tool blocks the fallback's own tool list does not explain
    const blocks = (fake.requests[2]!.body.messages as { content: { type: string }[] }[]).flatMap((m) => m.content.map((b) => b.type));
    expect(new Set(blocks)).toEqual(new Set(['text']));
  });
});
