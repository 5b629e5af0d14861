import { describe, expect, it } from 'vitest';
import type { Message } from '../../../shared/llm/types.js';
import { applyMemory } from '../../../shared/sessions/memory/apply-memory.js';
import { isConversationStart, slidingWindow } from '../../../shared/sessions/memory/sliding-window.js';
import type { Session } from '../../../shared/sessions/types.js';
import type { ModelProvider } from '../../../shared/llm/types.js';

const user = (text: string): Message => ({ role: 'user', content: [{ type: 'text', text }] });
const assistant = (text: string): Message => ({ role: 'assistant', content: [{ type: 'text', text }] });
const toolUse = (id: string): Message => ({ role: 'assistant', content: [{ type: 'tool_use', id, name: 'lookup', input: {} }] });
const toolResult = (id: string): Message => ({ role: 'user', content: [{ type: 'tool_result', tool_use_id: id, content: 'r' }] });

/** No tool_result in the window without its tool_use, and the window opens on a plain user message. */
function expectWellFormed(window: Message[]): void {
  if (window.length > 0) expect(isConversationStart(window[0]!)).toBe(true);
  const used = new Set<string>();
  for (const message of window) {
    for (const block of message.content) {
      if (block.type === 'tool_use') used.add(block.id);
      if (block.type === 'tool_result') expect(used.has(block.tool_use_id)).toBe(true);
    }
  }
}

describe('slidingWindow', () => {
  it('keeps everything when under the limit', () => {
    const messages = [user('a'), assistant('b')];
    expect(slidingWindow(messages, 10)).toEqual(messages);
  });

  it('keeps the most recent messages up to the limit', () => {
    const messages = [user('1'), assistant('2'), user('3'), assistant('4'), user('5'), assistant('6')];
    expect(slidingWindow(messages, 4)).toEqual([user('3'), assistant('4'), user('5'), assistant('6')]);
  });

  it('never opens the window on an assistant message', () => {
    const messages = [user('1'), assistant('2'), user('3'), assistant('4')];
    const window = slidingWindow(messages, 3);
    expect(window).toEqual([user('3'), assistant('4')]);
  });

  it('never keeps a tool result whose tool use was cut away', () => {
    // a cut at 4 from the end would open on the tool result of toolu_1
    const messages = [user('q'), toolUse('toolu_1'), toolResult('toolu_1'), assistant('a'), user('q2'), assistant('a2')];
    const window = slidingWindow(messages, 4);
    expect(window).toEqual([user('q2'), assistant('a2')]);
    expectWellFormed(window);
  });

  it('keeps a whole tool exchange when the cut falls before it', () => {
    const messages = [user('old'), assistant('old'), user('q'), toolUse('t1'), toolResult('t1'), assistant('a')];
    const window = slidingWindow(messages, 4);
    expect(window).toEqual([user('q'), toolUse('t1'), toolResult('t1'), assistant('a')]);
  });

  it('is empty when the limit falls inside a chain of tool exchanges with no clean start', () => {
    const messages = [user('q'), toolUse('t1'), toolResult('t1'), toolUse('t2'), toolResult('t2'), assistant('done')];
    expect(slidingWindow(messages, 4)).toEqual([]);
    expect(slidingWindow(messages, 0)).toEqual([]);
  });

  it('yields a well-formed window of at most max messages for every limit over a mixed history', () => {
    const messages: Message[] = [];
    for (let i = 0; i < 12; i++) {
      messages.push(user(`q${i}`));
      for (let t = 0; t < i % 3; t++) messages.push(toolUse(`t${i}-${t}`), toolResult(`t${i}-${t}`));
      messages.push(assistant(`a${i}`));
    }
    for (let max = 0; max <= messages.length + 1; max++) {
      const window = slidingWindow(messages, max);
      expect(window.length).toBeLessThanOrEqual(max);
      expectWellFormed(window);
      expect(window).toEqual(messages.slice(messages.length - window.length));
    }
  });
});

describe('applyMemory with sliding_window', () => {
  it('returns the window without calling the model and spends no tokens', async () => {
    const calls: unknown[] = [];
    const provider: ModelProvider = {
      // eslint-disable-next-line require-yield
      async *stream(request) {
        calls.push(request);
        throw new Error('sliding_window must not call the model');
      },
    };
    const session: Session = {
      id: 's',
      agent: 'bot',
      created_at: '',
      updated_at: '',
      version: 3,
      messages: [user('1'), assistant('2'), user('3'), assistant('4')],
    };
    const applied = await applyMemory({ strategy: 'sliding_window', max_messages: 2 }, session, provider, 'claude-x');
    expect(applied.messages).toEqual([user('3'), assistant('4')]);
    expect(applied.session.messages).toEqual([user('3'), assistant('4')]);
    expect(applied.usage).toEqual({ input: 0, output: 0, cache_read: 0, cache_write: 0 });
    expect(calls).toHaveLength(0);
  });
});
