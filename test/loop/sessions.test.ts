import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Message } from '../../shared/llm/types.js';
import { MemorySessionStore, SUMMARY_HEADER, SUMMARY_SYSTEM_PROMPT } from '../../shared/sessions/index.js';
import { startFakeAnthropic, type FakeAnthropic } from '../helpers/fake-anthropic/index.js';
import { agent } from '../helpers/ir-builder.js';
import { requestText, say, scriptedProvider } from '../helpers/scripted-provider.js';
import { fakeServerRuntime, harness, sentText } from './runtime-factory.js';

const turn = (i: number): Message[] => [
  { role: 'user', content: [{ type: 'text', text: `question ${i}` }] },
  { role: 'assistant', content: [{ type: 'text', text: `answer ${i}` }] },
];

async function sessionWith(store: MemorySessionStore, agentName: string, turns: number): Promise<string> {
  const session = await store.create(agentName);
  await store.put({ ...session, messages: Array.from({ length: turns }, (_, i) => turn(i + 1)).flat() }, session.version);
  return session.id;
}

describe('sessions', () => {
  it('continues a session: the model sees the history and the turn is saved', async () => {
    // Prepare
    const sessions = new MemorySessionStore();
    const provider = scriptedProvider(say('Hi Ada.'), say('Your name is Ada.'));
    const { runtime } = harness(provider, [agent('bot')], { sessions });
    const { id } = await sessions.create('bot');

    // Act
    const first = await runtime.invoke('bot', { message: 'I am Ada.', sessionId: id });
    const second = await runtime.invoke('bot', { message: 'What is my name?', sessionId: id });

    // Assess
    expect(first.session_id).toBe(id);
    expect(second.output).toBe('Your name is Ada.');
    expect(requestText(provider.requests[1]!)).toBe('I am Ada.\nHi Ada.\nWhat is my name?');
    const saved = await sessions.get('bot', id);
    expect(saved!.messages.map((m) => m.content[0]?.type === 'text' && m.content[0].text)).toEqual([
      'I am Ada.',
      'Hi Ada.',
      'What is my name?',
      'Your name is Ada.',
    ]);
  });

  it('answers an unknown session with not_found, before any model call', async () => {
    const provider = scriptedProvider(say('x'));
    const { runtime } = harness(provider, [agent('bot')]);

    await expect(runtime.invoke('bot', { message: 'hi', sessionId: 'nope' })).rejects.toMatchObject({ code: 'not_found' });
    expect(provider.requests).toHaveLength(0);
  });

  it('saves tool uses with their results', async () => {
    const sessions = new MemorySessionStore();
    const provider = scriptedProvider({ toolUses: [{ id: 'toolu_s', name: 'ghost', input: {} }] }, say('done'));
    const { runtime } = harness(provider, [agent('bot')], { sessions });
    const { id } = await sessions.create('bot');

    await runtime.invoke('bot', { message: 'go', sessionId: id });

    const saved = await sessions.get('bot', id);
    expect(saved!.messages.map((m) => m.content.map((b) => b.type).join(','))).toEqual(['text', 'tool_use', 'tool_result', 'text']);
  });

  it('two messages sent at once to one session both land, each with its answer', async () => {
    // Prepare: answers take a while, so both runs read the same version
    const sessions = new MemorySessionStore();
    const provider = scriptedProvider().otherwise((request) => ({ text: `re: ${requestText(request).split('\n').at(-1)}`, delayMs: 30 }));
    const { runtime } = harness(provider, [agent('bot')], { sessions });
    const { id } = await sessions.create('bot');

    // Act
    await Promise.all([runtime.invoke('bot', { message: 'one', sessionId: id }), runtime.invoke('bot', { message: 'two', sessionId: id })]);

    // Assess
    const texts = (await sessions.get('bot', id))!.messages.map((m) => (m.content[0] as { text: string }).text);
    expect(texts).toHaveLength(4);
    expect(texts.indexOf('re: one')).toBe(texts.indexOf('one') + 1);
    expect(texts.indexOf('re: two')).toBe(texts.indexOf('two') + 1);
  });

  it('sliding_window: the model sees only the last max_messages of the history', async () => {
    const sessions = new MemorySessionStore();
    const provider = scriptedProvider(say('ok'));
    const { runtime } = harness(provider, [agent('bot', { memory: { strategy: 'sliding_window', max_messages: 2 } })], { sessions });
    const id = await sessionWith(sessions, 'bot', 3);

    await runtime.invoke('bot', { message: 'question 4', sessionId: id });

    expect(requestText(provider.requests[0]!)).toBe('question 3\nanswer 3\nquestion 4');
  });

  it('summary: older messages are folded by a model call whose tokens count, and the fold is saved', async () => {
    // Prepare: 6 messages, max 4 → the older ones are folded
    const sessions = new MemorySessionStore();
    const provider = scriptedProvider(say('The user asked questions 1 and 2.', { input: 80, output: 12 }), say('ok'));
    const { runtime } = harness(provider, [agent('bot', { memory: { strategy: 'summary', max_messages: 4 } })], { sessions });
    const id = await sessionWith(sessions, 'bot', 3);

    // Act
    const result = await runtime.invoke('bot', { message: 'question 4', sessionId: id });

    // Assess
    expect(provider.requests[0]!.system).toBe(SUMMARY_SYSTEM_PROMPT);
    expect(requestText(provider.requests[0]!)).toContain('question 1');
    const seen = requestText(provider.requests[1]!);
    expect(seen).toContain(`${SUMMARY_HEADER}\nThe user asked questions 1 and 2.`);
    expect(seen).not.toContain('answer 1');
    expect(result.tokens.total).toBe(92 + 15);
    const saved = await sessions.get('bot', id);
    expect(saved!.summary).toBe('The user asked questions 1 and 2.');
    expect(saved!.messages.map((m) => (m.content[0] as { text: string }).text)).toEqual(['question 3', 'answer 3', 'question 4', 'ok']);
  });
});

describe('sessions through the Anthropic provider and the fake Messages API', () => {
  let fake: FakeAnthropic;
  beforeEach(async () => {
    fake = await startFakeAnthropic();
  });
  afterEach(async () => {
    await fake.close();
  });

  it('concurrent messages to one session all land', async () => {
    fake.respond((request) => {
      const messages = request.body.messages as { content: { text: string }[] }[];
      return { text: `re: ${messages.at(-1)!.content[0]!.text}`, chunkDelayMs: 5 };
    });
    const sessions = new MemorySessionStore();
    const { runtime } = fakeServerRuntime(fake, [agent('bot')], { sessions });
    const { id } = await sessions.create('bot');

    await Promise.all(['a', 'b', 'c'].map((message) => runtime.invoke('bot', { message, sessionId: id })));

    const texts = (await sessions.get('bot', id))!.messages.map((m) => (m.content[0] as { text: string }).text);
    expect(texts).toHaveLength(6);
    for (const message of ['a', 'b', 'c']) expect(texts.indexOf(`re: ${message}`)).toBe(texts.indexOf(message) + 1);
    expect(sentText(fake.requests[0]!)).toMatch(/^[abc]$/);
  });
});
