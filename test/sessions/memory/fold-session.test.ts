import { describe, expect, it } from 'vitest';
import type { Message, ModelProvider } from '../../../shared/llm/types.js';
import { applyMemory } from '../../../shared/sessions/memory/apply-memory.js';
import { foldSession } from '../../../shared/sessions/memory/fold-session.js';
import { MemorySessionStore } from '../../../shared/sessions/memory-store.js';
import { updateSession } from '../../../shared/sessions/update-session.js';

const user = (text: string): Message => ({ role: 'user', content: [{ type: 'text', text }] });
const assistant = (text: string): Message => ({ role: 'assistant', content: [{ type: 'text', text }] });

/** A provider that answers every call with `summary` and counts calls. */
function summarizer(summary: string): ModelProvider & { calls: number } {
  const provider = {
    calls: 0,
    async *stream() {
      provider.calls++;
      yield { type: 'text' as const, text: summary };
      yield { type: 'usage' as const, usage: { input: 1, output: 1, cache_read: 0, cache_write: 0 } };
      yield { type: 'stop' as const, reason: 'end_turn' as const };
    },
  };
  return provider;
}

describe('foldSession', () => {
  it('persists a fold so the next turn needs no new summary call, keeping messages appended meanwhile', async () => {
    // Prepare: a session past its limit of 4
    const store = new MemorySessionStore();
    const { id } = await store.create('bot');
    const history = [user('1'), assistant('2'), user('3'), assistant('4'), user('5'), assistant('6')];
    await updateSession(store, 'bot', id, (s) => void s.messages.push(...history));
    const provider = summarizer('facts 1-4');
    const memory = { strategy: 'summary' as const, max_messages: 4 };
    const applied = await applyMemory(memory, (await store.get('bot', id))!, provider, 'claude-x');
    // another writer appends a turn before this one saves
    await updateSession(store, 'bot', id, (s) => void s.messages.push(user('other'), assistant('other')));
    // Act
    await updateSession(store, 'bot', id, (s) => {
      foldSession(s, applied);
      s.messages.push(user('7'), assistant('8'));
    });
    // Assess
    const stored = await store.get('bot', id);
    expect(stored?.summary).toBe('facts 1-4');
    expect(stored?.messages).toEqual([user('5'), assistant('6'), user('other'), assistant('other'), user('7'), assistant('8')]);
    expect(provider.calls).toBe(1);
  });

  it('leaves the session alone when its start no longer matches what was folded', async () => {
    const provider = summarizer('s');
    const session = { id: 'x', agent: 'bot', created_at: '', updated_at: '', version: 1, messages: [user('1'), assistant('2'), user('3'), assistant('4')] };
    const applied = await applyMemory({ strategy: 'summary', max_messages: 2 }, session, provider, 'claude-x');
    expect(applied.folded).toEqual([user('1'), assistant('2')]);
    const rewritten = { ...session, messages: [user('changed'), assistant('2'), user('3'), assistant('4')] };
    expect(foldSession(structuredClone(rewritten), applied)).toEqual(rewritten);
  });

  it('changes nothing for a sliding window', async () => {
    const session = { id: 'x', agent: 'bot', created_at: '', updated_at: '', version: 1, messages: [user('1'), assistant('2'), user('3'), assistant('4')] };
    const applied = await applyMemory({ strategy: 'sliding_window', max_messages: 2 }, session, summarizer('unused'), 'claude-x');
    expect(foldSession(structuredClone(session), applied)).toEqual(session);
  });
});
