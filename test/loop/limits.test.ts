import { describe, expect, it } from 'vitest';
import { agent } from '../helpers/ir-builder.js';
import { say, scriptedProvider, useTools } from '../helpers/scripted-provider.js';
import { testTools } from '../helpers/test-tools.js';
import { harness } from './runtime-factory.js';
import { afterEach, beforeEach } from 'vitest';
import { startFakeAnthropic, type FakeAnthropic } from '../helpers/fake-anthropic/index.js';
import { fakeServerRuntime } from './runtime-factory.js';
import { failureOf } from '../helpers/rejection.js';

describe('max_turns', () => {
  it('stops with max_turns_exceeded, the partial output and the usage so far', async () => {
    // Prepare: a model that never stops asking for the tool
    const provider = scriptedProvider().otherwise({ text: 'checking…', toolUses: [{ name: 'poll', input: {} }] });
    const { runtime } = harness(provider, [agent('bot', { max_turns: 3 })], { tools: testTools({ name: 'poll' }) });

    // Act
    const error = await failureOf(runtime.invoke('bot', { message: 'wait for it' }));

    // Assess
    expect(error.code).toBe('max_turns_exceeded');
    expect(provider.requests).toHaveLength(3);
    expect(error.details).toMatchObject({ partial_output: 'checking…checking…checking…', turns: 3, tokens: { input: 30, output: 15, total: 45 } });
  });
});

describe('token_budget', () => {
  it('refuses the call that could pass the budget before making it', async () => {
    // Prepare: each call really costs 400 tokens; the budget allows two
    const provider = scriptedProvider().otherwise({ toolUses: [{ name: 'poll', input: {} }], usage: { input: 300, output: 100 } });
    const { runtime } = harness(provider, [agent('bot', { token_budget: 1000 })], { tools: testTools({ name: 'poll' }), maxTokensPerCall: 150 });

    // Act
    const error = await failureOf(runtime.invoke('bot', { message: 'go' }));

    // Assess: a third call would need 400+ tokens of the 200 left, so it was never sent
    expect(error.code).toBe('budget_exceeded');
    expect(provider.requests).toHaveLength(2);
    expect(error.details).toMatchObject({ tokens: { total: 800 }, turns: 2 });
  });

  it('lowers max_tokens to what the budget leaves', async () => {
    const provider = scriptedProvider(say('ok'));
    const { runtime } = harness(provider, [agent('bot', { token_budget: 500 })], { maxTokensPerCall: 4096 });

    await runtime.invoke('bot', { message: 'hi' });

    const sent = provider.requests[0]!;
    expect(sent.max_tokens).toBeLessThan(500);
    expect(sent.max_tokens).toBeGreaterThan(0);
  });

  it('reports budget_exceeded when the lowered max_tokens cuts the answer', async () => {
    const provider = scriptedProvider({ text: 'a long answ', stop: 'max_tokens', usage: { input: 100, output: 350 } });
    const { runtime } = harness(provider, [agent('bot', { token_budget: 500 })]);

    const error = await failureOf(runtime.invoke('bot', { message: 'essay please' }));

    expect(error.code).toBe('budget_exceeded');
    expect(error.details).toMatchObject({ partial_output: 'a long answ' });
  });

  it('counts a delegate’s tokens against the delegating agent’s budget', async () => {
    const provider = scriptedProvider(
      useTools({ name: 'delegate_to_helper', input: { message: 'do it' } }),
      say('helped', { input: 700, output: 200 }),
    ).otherwise(say('never'));
    const { runtime } = harness(provider, [agent('boss', { token_budget: 1000, delegates: [{ agent: 'helper', when: 'always' }] }), agent('helper')], {
      maxTokensPerCall: 200,
    });

    const error = await failureOf(runtime.invoke('boss', { message: 'go' }));

    expect(error.code).toBe('budget_exceeded');
    expect(provider.requests).toHaveLength(2);
    expect(error.details).toMatchObject({ tokens: { total: 915 } });
  });
});

describe('token_budget with concurrent calls', () => {
  it('map-reduce parts reserve their worst case, so together they stay within the budget', async () => {
    // Prepare: every call spends all the output it is allowed
    const provider = scriptedProvider(useTools({ name: 'split', input: { parts: ['p1', 'p2', 'p3', 'p4'] } })).otherwise((request) => ({
      text: 'x',
      delayMs: 10,
      usage: { input: 50, output: request.max_tokens! },
    }));
    const budget = 2_000;
    const { runtime } = harness(provider, [agent('mr', { strategy: 'map-reduce', token_budget: budget })], { maxTokensPerCall: 600 });

    // Act
    const error = await failureOf(runtime.invoke('mr', { message: 'four parts' }));

    // Assess: some parts were refused before their call; what was spent fits
    expect(error.code).toBe('budget_exceeded');
    expect((error.details.tokens as { total: number }).total).toBeLessThanOrEqual(budget);
  });
});

describe('timeout', () => {
  it('keeps a long timeout long (no timer overflow)', async () => {
    const provider = scriptedProvider({ text: 'ok', delayMs: 30 });
    const { runtime } = harness(provider, [agent('bot', { timeout_ms: 30 * 24 * 3600 * 1000 })]);

    await expect(runtime.invoke('bot', { message: 'x' })).resolves.toMatchObject({ output: 'ok' });
  });

  it('stops a slow run with timeout and the usage so far', async () => {
    const provider = scriptedProvider(useTools({ name: 'slow' }));
    const tools = testTools({ name: 'slow', delayMs: 5_000 });
    const { runtime } = harness(provider, [agent('bot', { timeout_ms: 150 })], { tools });
    const started = Date.now();

    const error = await failureOf(runtime.invoke('bot', { message: 'go' }));

    expect(error.code).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(tools.calls[0]!.signal.aborted).toBe(true);
    expect(error.details).toMatchObject({ turns: 1, tokens: { total: 15 } });
  });
});

describe('limits through the Anthropic provider and the fake Messages API', () => {
  let fake: FakeAnthropic;
  beforeEach(async () => {
    fake = await startFakeAnthropic();
  });
  afterEach(async () => {
    await fake.close();
  });

  it('never sends a call that could pass the token budget, and every call sent fits in what was left', async () => {
    // Prepare: the model keeps asking for a tool; each call really costs 700 tokens
    fake.respond(() => ({ toolUses: [{ name: 'poll', input: {} }], usage: { input_tokens: 500, output_tokens: 200 } }));
    const budget = 3000;
    const { runtime } = fakeServerRuntime(fake, [agent('bot', { token_budget: budget })], { tools: testTools({ name: 'poll' }), maxTokensPerCall: 1024 });

    // Act
    const error = await failureOf(runtime.invoke('bot', { message: 'go' }));

    // Assess
    expect(error.code).toBe('budget_exceeded');
    const spent = (error.details.tokens as { total: number }).total;
    expect(spent).toBeLessThanOrEqual(budget);
    expect(fake.requests).toHaveLength(spent / 700);
    let used = 0;
    for (const request of fake.requests) {
      expect(used + (request.body.max_tokens as number)).toBeLessThanOrEqual(budget);
      used += 700;
    }
  });

  it('times out a model call that hangs, closing its connection', async () => {
    fake.script({ text: 'start', hang: true });
    const { runtime } = fakeServerRuntime(fake, [agent('bot', { timeout_ms: 200 })]);

    const error = await failureOf(runtime.invoke('bot', { message: 'go' }));
    await fake.nextAbort();

    expect(error.code).toBe('timeout');
    expect(fake.aborted).toBe(1);
  });
});
