import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAnthropicProvider } from '../../../shared/llm/anthropic-provider.js';
import type { Message, ModelProvider } from '../../../shared/llm/types.js';
import { applyMemory, SUMMARY_HEADER } from '../../../shared/sessions/memory/apply-memory.js';
import { SUMMARY_SYSTEM_PROMPT } from '../../../shared/sessions/memory/summarize.js';
import type { Session } from '../../../shared/sessions/types.js';
import { startFakeAnthropic, type FakeAnthropic } from '../../helpers/fake-anthropic/index.js';

const user = (text: string): Message => ({ role: 'user', content: [{ type: 'text', text }] });
const assistant = (text: string): Message => ({ role: 'assistant', content: [{ type: 'text', text }] });

function sessionOf(messages: Message[], summary?: string): Session {
  return {
    id: 's1',
    agent: 'bot',
    created_at: '2026-01-01T00:00:00Z',
    updated_at: '2026-01-01T00:00:00Z',
    version: 4,
    messages,
    ...(summary ? { summary } : {}),
  };
}

describe('applyMemory with summary, against the fake Messages API', () => {
  let fake: FakeAnthropic;
  let provider: ModelProvider;

  beforeAll(async () => {
    fake = await startFakeAnthropic();
    provider = createAnthropicProvider({ apiKey: 'test-key', baseURL: fake.url, maxRetries: 0 });
  });
  afterAll(async () => {
    await fake.close();
  });

  it('folds the older messages and the previous summary into a new summary with one model call', async () => {
    // Prepare
    fake.requests.length = 0;
    fake.script({ text: ['User is Ada; ', 'ordered 3 lamps.'], usage: { input_tokens: 40, output_tokens: 8 } });
    const messages = [
      user('My name is Ada.'),
      { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'orders', input: { who: 'Ada' } }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: '3 lamps' }] },
      assistant('You ordered 3 lamps.'),
      user('Thanks.'),
      assistant('Anything else?'),
      user('Ship them.'),
      assistant('Shipped.'),
    ] satisfies Message[];
    // Act
    const applied = await applyMemory({ strategy: 'summary', max_messages: 6 }, sessionOf(messages, 'Earlier: greeted.'), provider, 'claude-haiku-4-5');
    // Assess: one call on the agent's model, carrying the previous summary and the folded messages
    expect(fake.requests).toHaveLength(1);
    const body = fake.requests[0]!.body as { model: string; system: { text: string }[]; messages: { content: { text: string }[] }[] };
    expect(body.model).toBe('claude-haiku-4-5');
    expect(body.system[0]?.text).toBe(SUMMARY_SYSTEM_PROMPT);
    const prompt = body.messages[0]!.content[0]!.text;
    expect(prompt).toContain('Earlier: greeted.');
    expect(prompt).toContain('My name is Ada.');
    expect(prompt).toContain('[called tool orders with {"who":"Ada"}]');
    expect(prompt).toContain('3 lamps');
    expect(prompt).not.toContain('Ship them.');
    // the kept tail is at most half the limit and opens on a plain user message
    expect(applied.session.messages).toEqual([user('Ship them.'), assistant('Shipped.')]);
    expect(applied.summary).toBe('User is Ada; ordered 3 lamps.');
    expect(applied.session.summary).toBe('User is Ada; ordered 3 lamps.');
    expect(applied.usage).toMatchObject({ input: 40, output: 8 });
    // the model sees the summary ahead of the kept messages
    expect(applied.messages[0]).toEqual({
      role: 'user',
      content: [
        { type: 'text', text: `${SUMMARY_HEADER}\nUser is Ada; ordered 3 lamps.` },
        { type: 'text', text: 'Ship them.' },
      ],
    });
    expect(applied.messages[1]).toEqual(assistant('Shipped.'));
  });

  it('keeps a tool exchange whole in the tail rather than splitting it from its result', async () => {
    fake.requests.length = 0;
    fake.script({ text: 'older stuff' });
    const messages: Message[] = [
      user('a'),
      assistant('b'),
      user('c'),
      { role: 'assistant', content: [{ type: 'tool_use', id: 't9', name: 'x', input: {} }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't9', content: 'ok' }] },
      assistant('d'),
    ];
    const applied = await applyMemory({ strategy: 'summary', max_messages: 5 }, sessionOf(messages), provider, 'claude-x');
    // half of 5 is 3: a 3-message tail would open on the tool use, and no later clean start exists, so all is folded
    expect(applied.session.messages).toEqual([]);
    const folded = (fake.requests[0]!.body as { messages: { content: { text: string }[] }[] }).messages[0]!.content[0]!.text;
    expect(folded).toContain('[tool result: ok]');
    expect(applied.messages).toEqual([{ role: 'user', content: [{ type: 'text', text: `${SUMMARY_HEADER}\nolder stuff` }] }]);
  });

  it('makes no model call under the limit, but still shows an existing summary to the model', async () => {
    fake.requests.length = 0;
    const applied = await applyMemory({ strategy: 'summary', max_messages: 10 }, sessionOf([user('hi'), assistant('yo')], 'prior facts'), provider, 'claude-x');
    expect(fake.requests).toHaveLength(0);
    expect(applied.usage).toEqual({ input: 0, output: 0, cache_read: 0, cache_write: 0 });
    expect(applied.messages[0]?.content[0]).toEqual({ type: 'text', text: `${SUMMARY_HEADER}\nprior facts` });
    expect(applied.session.messages).toEqual([user('hi'), assistant('yo')]);
  });

  it('fails with upstream_error when the summary call fails, leaving the session untouched', async () => {
    fake.script({ status: 400, error: { type: 'invalid_request_error', message: 'too long' } });
    const session = sessionOf([user('1'), assistant('2'), user('3'), assistant('4')]);
    await expect(applyMemory({ strategy: 'summary', max_messages: 2 }, session, provider, 'claude-x')).rejects.toMatchObject({ code: 'upstream_error' });
    expect(session.messages).toHaveLength(4);
  });
});
