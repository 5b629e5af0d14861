/** Guardrails in a run: both sides checked, block replaces the answer and never streams blocked text, warn reports, nothing echoes the match. */
import { describe, expect, it } from 'vitest';
import type { IRGuardrail } from '../../shared/ir/types.js';
import type { TelemetryEvent } from '../../shared/telemetry/events.js';
import type { RunEvent } from '../../shared/loop/types.js';
import { MemorySessionStore } from '../../shared/sessions/index.js';
import { Telemetry } from '../../shared/telemetry/telemetry.js';
import { agent } from '../helpers/ir-builder.js';
import { requestText, say, scriptedProvider } from '../helpers/scripted-provider.js';
import { harness } from './runtime-factory.js';

function guardrail(name: string, attributes: Partial<IRGuardrail['attributes']>): IRGuardrail {
  return {
    kind: 'Guardrail',
    name,
    fqn: `test/Guardrail/${name}`,
    hash: '0'.repeat(64),
    attributes: { mode: 'block', keywords: [], patterns: [], ...attributes },
  };
}

const SSN = '\\b\\d{3}-\\d{2}-\\d{4}\\b';
const contentFilter = guardrail('content-filter', { keywords: ['password', 'ssn'], patterns: [SSN], fallback: 'I cannot share sensitive information.' });
const profanity = guardrail('profanity-filter', { mode: 'warn', keywords: ['badword'] });

function recorder(): { events: TelemetryEvent[]; record(e: TelemetryEvent): void } {
  const events: TelemetryEvent[] = [];
  return { events, record: (e) => events.push(e) };
}

async function collect(events: AsyncIterable<RunEvent>): Promise<RunEvent[]> {
  const out: RunEvent[] = [];
  for await (const event of events) out.push(event);
  return out;
}

const guarded = (...names: string[]) => agent('bot', { guardrails: names });

describe('guardrails', () => {
  it('answers the fallback without calling the model when the user message trips a block guardrail', async () => {
    const provider = scriptedProvider();
    const observer = recorder();
    const { runtime } = harness(provider, [contentFilter, guarded('content-filter')], { observer });

    const result = await runtime.invoke('bot', { message: 'my number is 123-45-6789' });

    expect(result.output).toBe('I cannot share sensitive information.');
    expect(provider.requests).toHaveLength(0);
    expect(result.guardrails).toEqual([{ guardrail: 'content-filter', mode: 'block', side: 'input', match: 'pattern' }]);
    expect(observer.events).toContainEqual(
      expect.objectContaining({ type: 'guardrail', guardrail: 'content-filter', mode: 'block', side: 'input', match: 'pattern' }),
    );
    expect(JSON.stringify(observer.events)).not.toContain('123-45-6789');
  });

  it('replaces a model answer that trips a block guardrail', async () => {
    const provider = scriptedProvider(say('Sure, the SSN is 987-65-4321.'));
    const { runtime } = harness(provider, [contentFilter, guarded('content-filter')]);

    const result = await runtime.invoke('bot', { message: 'what is on file?' });

    expect(result.output).toBe('I cannot share sensitive information.');
    expect(result.guardrails).toEqual([{ guardrail: 'content-filter', mode: 'block', side: 'output', match: 'keyword' }]);
    expect(JSON.stringify(result)).not.toContain('987-65-4321');
  });

  it('streams none of a blocked answer: the client gets the fallback text and a done event saying which guardrail fired', async () => {
    const provider = scriptedProvider({ text: ['Your pass', 'word is ', 'hunter-two'] });
    const { runtime } = harness(provider, [contentFilter, guarded('content-filter')]);

    const events = await collect(runtime.stream('bot', { message: 'remind me' }));

    const texts = events.flatMap((e) => (e.type === 'text' ? [e.data.text] : []));
    expect(texts).toEqual(['I cannot share sensitive information.']);
    expect(JSON.stringify(events)).not.toContain('hunter');
    const done = events.at(-1)!;
    expect(done.type === 'done' && done.data.guardrails).toEqual([{ guardrail: 'content-filter', mode: 'block', side: 'output', match: 'keyword' }]);
  });

  it('lets a warn guardrail answer go through, streaming live, with a guardrails entry in the result and a counted event', async () => {
    const provider = scriptedProvider({ text: ['that is a ', 'BadWord indeed'] });
    const observer = recorder();
    const { runtime } = harness(provider, [profanity, guarded('profanity-filter')], { observer });

    const events = await collect(runtime.stream('bot', { message: 'hi' }));

    expect(events.filter((e) => e.type === 'text')).toHaveLength(2);
    const done = events.at(-1)!;
    expect(done.type === 'done' && done.data.output).toBe('that is a BadWord indeed');
    expect(done.type === 'done' && done.data.guardrails).toEqual([{ guardrail: 'profanity-filter', mode: 'warn', side: 'output', match: 'keyword' }]);
    expect(observer.events.filter((e) => e.type === 'guardrail')).toHaveLength(1);
  });

  it('counts firings in agentspec_guardrail_firings_total by agent, guardrail, mode and side', async () => {
    const telemetry = new Telemetry();
    const { runtime } = harness(scriptedProvider(say('a badword')), [contentFilter, profanity, guarded('content-filter', 'profanity-filter')], {
      observer: telemetry,
    });

    await runtime.invoke('bot', { message: 'my ssn' });
    await runtime.invoke('bot', { message: 'hello' });

    const { text } = await telemetry.metricsExposition();
    expect(text).toContain('agentspec_guardrail_firings_total{agent="bot",guardrail="content-filter",mode="block",side="input"} 1');
    expect(text).toContain('agentspec_guardrail_firings_total{agent="bot",guardrail="profanity-filter",mode="warn",side="output"} 1');
  });

  it('matches keywords case-insensitively as whole words: "SSN" fires, "lessons" does not', async () => {
    const provider = scriptedProvider(say('fine'), say('fine'));
    const { runtime } = harness(provider, [contentFilter, guarded('content-filter')]);

    expect((await runtime.invoke('bot', { message: 'lessons on passwords' })).guardrails).toBeUndefined();
    expect((await runtime.invoke('bot', { message: 'What is my SSN?' })).output).toBe('I cannot share sensitive information.');
    expect(provider.requests).toHaveLength(1);
  });

  it('checks guardrails in the agent order, the first block supplying the fallback, and reports every firing', async () => {
    const provider = scriptedProvider(say('a badword and a password'));
    const { runtime } = harness(provider, [contentFilter, profanity, guarded('profanity-filter', 'content-filter')]);

    const result = await runtime.invoke('bot', { message: 'hi' });

    expect(result.output).toBe('I cannot share sensitive information.');
    expect(result.guardrails?.map((g) => g.guardrail)).toEqual(['profanity-filter', 'content-filter']);
  });

  it('keeps a blocked user message out of the session, so later turns never send it to the model', async () => {
    const sessions = new MemorySessionStore();
    const provider = scriptedProvider(say('ok'));
    const { runtime } = harness(provider, [contentFilter, guarded('content-filter')], { sessions });
    const session = await sessions.create('bot');

    await runtime.invoke('bot', { message: 'my password is opensesame', sessionId: session.id });
    await runtime.invoke('bot', { message: 'hello again', sessionId: session.id });

    expect(requestText(provider.requests[0]!)).not.toContain('opensesame');
    expect(requestText(provider.requests[0]!)).toContain('withheld by guardrail "content-filter"');
    expect(JSON.stringify(await sessions.get('bot', session.id))).not.toContain('opensesame');
  });

  it('uses a default fallback text when a block guardrail declares none', async () => {
    const { runtime } = harness(scriptedProvider(), [guardrail('bare', { keywords: ['forbidden'] }), guarded('bare')]);
    expect((await runtime.invoke('bot', { message: 'a forbidden topic' })).output).toBe('I cannot help with that request.');
  });

  it('fires too_long rather than skip a pattern check on a text over the bound', async () => {
    const { runtime } = harness(scriptedProvider(), [contentFilter, guarded('content-filter')]);
    const result = await runtime.invoke('bot', { message: 'x'.repeat(256 * 1024 + 1) });
    expect(result.guardrails).toEqual([{ guardrail: 'content-filter', mode: 'block', side: 'input', match: 'too_long' }]);
  });

  it('refuses to start with a guardrail pattern RE2 cannot compile, naming the guardrail but not the pattern', () => {
    const bad = guardrail('lookbehind', { patterns: ['(?<=secret-marker)x'] });
    expect(() => harness(scriptedProvider(), [bad, guarded('lookbehind')])).toThrow(/^Guardrail "lookbehind" pattern 1: Invalid regular expression/);
    expect(() => harness(scriptedProvider(), [bad, guarded('lookbehind')])).not.toThrow(/secret-marker/);
  });
});
