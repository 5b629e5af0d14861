import { describe, expect, it } from 'vitest';
import type { IRRule, IRStatement } from '../../shared/ir/types.js';
import type { RunEvent } from '../../shared/loop/types.js';
import { MemorySessionStore } from '../../shared/sessions/index.js';
import type { TelemetryEvent } from '../../shared/telemetry/events.js';
import { Telemetry } from '../../shared/telemetry/telemetry.js';
import { agent, type AgentAttrs } from '../helpers/ir-builder.js';
import { requestText, say, scriptedProvider } from '../helpers/scripted-provider.js';
import { harness } from './runtime-factory.js';

const mustCite: IRRule = { name: 'cites', severity: 'error', message: 'Cite a source in [brackets]', expression: 'output matches "\\\\[.+\\\\]"' };
const polite: IRRule = { name: 'polite', severity: 'warning', message: 'Say please', expression: 'lower(output) contains "please"' };

const onInput = (statements: IRStatement[]) => statements as NonNullable<AgentAttrs['on_input']>;

async function collect(events: AsyncIterable<RunEvent>): Promise<RunEvent[]> {
  const out: RunEvent[] = [];
  for await (const event of events) out.push(event);
  return out;
}

function botWith(validate: IRRule[], answers: string[], extra: Parameters<typeof agent>[1] = {}) {
  const events: TelemetryEvent[] = [];
  const provider = scriptedProvider(...answers.map((a) => say(a)));
  const h = harness(provider, [agent('bot', { validate, ...extra })], { env: {}, observer: { record: (e) => events.push(e) } });
  return { ...h, events };
}

describe('validate rules', () => {
  it('reports a broken warning rule with the answer and in a telemetry event, and keeps the answer', async () => {
    const { runtime, events } = botWith([polite, mustCite], ['Here it is [docs]']);

    const result = await runtime.invoke('bot', { message: 'q' });

    expect(result.output).toBe('Here it is [docs]');
    expect(result.validation).toEqual({ warnings: [{ rule: 'polite', message: 'Say please' }] });
    expect(events.filter((e) => e.type === 'validation_violation')).toMatchObject([{ agent: 'bot', rule: 'polite', severity: 'warning' }]);
  });

  it('an answer that passes every rule has no warnings; an agent without rules has no validation field', async () => {
    const ruled = botWith([polite], ['please [x]']);
    const plain = botWith([], ['anything']);

    expect((await ruled.runtime.invoke('bot', { message: 'q' })).validation).toEqual({ warnings: [] });
    expect(await plain.runtime.invoke('bot', { message: 'q' })).not.toHaveProperty('validation');
  });

  it('sends an answer that breaks an error rule back to the model with the rule’s message, and returns the corrected answer', async () => {
    const { runtime, provider } = botWith([mustCite], ['no source', 'with a source [manual]']);

    const result = await runtime.invoke('bot', { message: 'How do I reset it?' });

    expect(result.output).toBe('with a source [manual]');
    expect(provider.requests).toHaveLength(2);
    const retry = provider.requests[1]!;
    expect(retry.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
    expect(requestText(retry)).toContain('- cites: Cite a source in [brackets]');
    expect(requestText(retry)).toContain('How do I reset it?');
    expect(result.turns).toBe(2);
  });

  it('fails with validation_failed naming the rule once its max_retries are spent', async () => {
    const rule = { ...mustCite, max_retries: 1 };
    const { runtime, provider } = botWith([rule], ['bad', 'still bad', 'never asked']);

    const failure = runtime.invoke('bot', { message: 'q' });

    await expect(failure).rejects.toMatchObject({ code: 'validation_failed', status: 422, details: { agent: 'bot', rule: 'cites', attempts: 2 } });
    await expect(failure).rejects.toThrow('breaks the rule "cites" (Cite a source in [brackets]) after 2 attempt(s)');
    expect(provider.requests).toHaveLength(2);
  });

  it('retries three times by default, as the original does', async () => {
    const { runtime, provider } = botWith([mustCite], ['a', 'b', 'c', 'd', 'e']);

    await expect(runtime.invoke('bot', { message: 'q' })).rejects.toMatchObject({ code: 'validation_failed', details: { attempts: 4 } });
    expect(provider.requests).toHaveLength(4);
  });

  it('treats an expression that cannot be evaluated on the answer as a violation', async () => {
    const rule: IRRule = { name: 'numeric', severity: 'warning', message: 'Answer with a number', expression: 'int(output) > 0' };
    const { runtime } = botWith([rule], ['forty-two']);

    expect((await runtime.invoke('bot', { message: 'q' })).validation).toEqual({ warnings: [{ rule: 'numeric', message: 'Answer with a number' }] });
  });

  it('a rule without when checks nothing', async () => {
    const { runtime } = botWith([{ name: 'noted', severity: 'error', message: 'n/a' }], ['fine']);

    expect((await runtime.invoke('bot', { message: 'q' })).output).toBe('fine');
  });

  it('reads input, config and session besides output', async () => {
    const rule: IRRule = {
      name: 'echo',
      severity: 'warning',
      message: 'm',
      expression: 'output contains input and len(output) <= config.limit and session.id != nil',
    };
    const sessions = new MemorySessionStore();
    const session = await sessions.create('bot');
    const provider = scriptedProvider(say('abc!'), say('abc! but far too long'));
    const { runtime } = harness(
      provider,
      [agent('bot', { validate: [rule], config: [{ name: 'limit', type: 'int', required: false, secret: false, default: 10 }] })],
      { env: {}, sessions },
    );

    const inSession = await runtime.invoke('bot', { message: 'abc', sessionId: session.id });
    const tooLong = await runtime.invoke('bot', { message: 'abc', sessionId: session.id });

    expect(inSession.validation).toEqual({ warnings: [] });
    expect(tooLong.validation?.warnings).toHaveLength(1);
  });

  it('streams only the accepted answer’s text, and the done event carries the warnings', async () => {
    const { runtime } = botWith([mustCite, polite], ['rejected text', 'accepted [a]']);

    const events = await collect(runtime.stream('bot', { message: 'q' }));

    expect(events.filter((e) => e.type === 'text').map((e) => e.type === 'text' && e.data.text)).toEqual(['accepted [a]']);
    expect(events.at(-1)).toMatchObject({ type: 'done', data: { output: 'accepted [a]', validation: { warnings: [{ rule: 'polite' }] } } });
  });

  it('keeps only the accepted answer in the session', async () => {
    const sessions = new MemorySessionStore();
    const session = await sessions.create('bot');
    const provider = scriptedProvider(say('no'), say('yes [1]'));
    const { runtime } = harness(provider, [agent('bot', { validate: [mustCite] })], { env: {}, sessions });

    await runtime.invoke('bot', { message: 'q', sessionId: session.id });

    const stored = await sessions.get('bot', session.id);
    expect(stored!.messages.map((m) => [m.role, m.content])).toEqual([
      ['user', [{ type: 'text', text: 'q' }]],
      ['assistant', [{ type: 'text', text: 'yes [1]' }]],
    ]);
  });

  it('hands a validation failure to the fallback agent when on_error says fallback', async () => {
    const provider = scriptedProvider(say('bad'), say('fallback answer'));
    const { runtime } = harness(
      provider,
      [agent('bot', { validate: [{ ...mustCite, max_retries: 0 }], on_error: 'fallback', fallback: 'backup' }), agent('backup')],
      { env: {} },
    );

    const result = await runtime.invoke('bot', { message: 'q' });

    expect(result.output).toBe('fallback answer');
    expect(requestText(provider.requests[1]!)).toContain('validation_failed');
  });

  it('applies a delegate’s own rules to the delegate’s answer', async () => {
    const provider = scriptedProvider(say('unsourced'), say('sourced [x]'));
    const { runtime } = harness(
      provider,
      [agent('bot', { on_input: onInput([{ kind: 'delegate', agent: 'expert' }]) }), agent('expert', { validate: [mustCite] })],
      {
        env: {},
      },
    );

    const result = await runtime.invoke('bot', { message: 'q' });

    expect(result.output).toBe('sourced [x]');
    expect(provider.requests).toHaveLength(2);
  });

  it('fails an on input answer that breaks an error rule at once: no model can regenerate it', async () => {
    const { runtime, provider } = botWith([mustCite], [], { on_input: onInput([{ kind: 'respond', text: 'no source' }]) });

    await expect(runtime.invoke('bot', { message: 'q' })).rejects.toMatchObject({ code: 'validation_failed', details: { rule: 'cites', attempts: 1 } });
    expect(provider.requests).toHaveLength(0);
  });

  it('counts violations in agentspec_validation_violations_total by agent, rule and severity', async () => {
    const telemetry = new Telemetry();
    const provider = scriptedProvider(say('bad'), say('good [1]'));
    const { runtime } = harness(provider, [agent('bot', { validate: [mustCite, polite] })], { env: {}, observer: telemetry });

    await runtime.invoke('bot', { message: 'q' });
    const { text } = await telemetry.metricsExposition();

    expect(text).toContain('agentspec_validation_violations_total{agent="bot",rule="cites",severity="error"} 1');
    expect(text).toContain('agentspec_validation_violations_total{agent="bot",rule="polite",severity="warning"} 2');
  });
});
