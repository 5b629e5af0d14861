/**
 * The session-store contract: one suite every `SessionStore` runs (memory,
 * DynamoDB, Redis). It uses only the public interface, so a store passes it
 * by behaving, not by how it is built.
 *
 * @example
 * runSessionStoreContract('MemorySessionStore', async () => ({ store: new MemorySessionStore(), cleanup: async () => {} }));
 */
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Message } from '../../shared/llm/types.js';
import type { SessionStore } from '../../shared/sessions/types.js';
import { updateSession } from '../../shared/sessions/update-session.js';
import { failureOf } from '../helpers/rejection.js';

export interface SessionStoreFixture {
  store: SessionStore;
  cleanup(): Promise<void>;
  /**
   * Moves the store's clock forward. Stores that cannot fake time leave it
   * out: the expiry test then waits for real (a 1 s TTL, about 2 s).
   */
  advance?(seconds: number): Promise<void>;
}

const user = (text: string): Message => ({ role: 'user', content: [{ type: 'text', text }] });
const assistant = (text: string): Message => ({ role: 'assistant', content: [{ type: 'text', text }] });

/** Registers the contract tests for the store `factory` builds (a fresh one per test). */
export function runSessionStoreContract(name: string, factory: () => Promise<SessionStoreFixture>): void {
  describe(`SessionStore contract: ${name}`, () => {
    let fixture: SessionStoreFixture;
    let store: SessionStore;
    // a fresh agent name per test keeps tests apart even on a shared table or database
    let agent: string;

    beforeEach(async () => {
      fixture = await factory();
      store = fixture.store;
      agent = `agent-${randomUUID().slice(0, 8)}`;
    });
    afterEach(async () => {
      await fixture.cleanup();
    });

    it('creates an empty session at version 0 that get returns', async () => {
      const created = await store.create(agent);
      expect(created).toMatchObject({ agent, version: 0, messages: [] });
      expect(created.id).toMatch(/\S/);
      expect(Number.isNaN(Date.parse(created.created_at))).toBe(false);
      expect(Number.isNaN(Date.parse(created.updated_at))).toBe(false);
      const read = await store.get(agent, created.id);
      expect(read).toMatchObject({ id: created.id, agent, version: 0, messages: [] });
    });

    it('creates a session under a given id and refuses a second live one with conflict', async () => {
      const created = await store.create(agent, { id: 'chosen-id' });
      expect(created.id).toBe('chosen-id');
      const error = await failureOf(store.create(agent, { id: 'chosen-id' }));
      expect(error.code).toBe('conflict');
    });

    it('gives distinct ids to sessions created without one', async () => {
      const ids = await Promise.all(Array.from({ length: 5 }, () => store.create(agent).then((s) => s.id)));
      expect(new Set(ids).size).toBe(5);
    });

    it('returns undefined for an unknown id and keeps agents apart', async () => {
      const created = await store.create(agent, { id: 'shared-id' });
      expect(await store.get(agent, 'no-such-id')).toBeUndefined();
      expect(await store.get(`${agent}-other`, created.id)).toBeUndefined();
    });

    it('writes with the expected version, incrementing it and keeping messages and summary', async () => {
      const created = await store.create(agent);
      const written = await store.put({ ...created, messages: [user('hi'), assistant('hello')], summary: 'greeted' }, 0);
      expect(written.version).toBe(1);
      const read = await store.get(agent, created.id);
      expect(read).toMatchObject({ version: 1, summary: 'greeted', messages: [user('hi'), assistant('hello')] });
      const again = await store.put({ ...read!, messages: [...read!.messages, user('more')] }, 1);
      expect(again.version).toBe(2);
      expect((await store.get(agent, created.id))?.messages).toHaveLength(3);
    });

    it('refuses a write with a stale version with conflict and keeps the winner', async () => {
      const created = await store.create(agent);
      await store.put({ ...created, messages: [user('winner')] }, 0);
      const error = await failureOf(store.put({ ...created, messages: [user('loser')] }, 0));
      expect(error.code).toBe('conflict');
      const read = await store.get(agent, created.id);
      expect(read).toMatchObject({ version: 1, messages: [user('winner')] });
    });

    it('refuses a write to a missing session with not_found', async () => {
      const created = await store.create(agent);
      await store.delete(agent, created.id);
      const error = await failureOf(store.put({ ...created, messages: [user('late')] }, 0));
      expect(error.code).toBe('not_found');
    });

    it('deletes a session once: true, then gone, then false', async () => {
      const created = await store.create(agent);
      expect(await store.delete(agent, created.id)).toBe(true);
      expect(await store.get(agent, created.id)).toBeUndefined();
      expect(await store.delete(agent, created.id)).toBe(false);
    });

    it('does not let a caller mutating a read session change what is stored', async () => {
      const created = await store.create(agent);
      await store.put({ ...created, messages: [user('kept')] }, 0);
      const read = await store.get(agent, created.id);
      read!.messages.push(user('local only'));
      expect((await store.get(agent, created.id))?.messages).toEqual([user('kept')]);
    });

    it('lands every one of 20 concurrent updateSession appends, each turn kept together', async () => {
      // Prepare
      const created = await store.create(agent);
      const writers = 20;
      // Act: each writer appends a user/assistant pair, as a session turn does
      await Promise.all(
        Array.from({ length: writers }, (_, i) =>
          updateSession(store, agent, created.id, (session) => {
            session.messages.push(user(`q${i}`), assistant(`a${i}`));
          }),
        ),
      );
      // Assess
      const read = await store.get(agent, created.id);
      expect(read?.version).toBe(writers);
      const texts = read!.messages.map((m) => (m.content[0] as { text: string }).text);
      expect(texts).toHaveLength(writers * 2);
      for (let p = 0; p < texts.length; p += 2) expect(texts[p + 1]).toBe(texts[p]!.replace('q', 'a'));
      expect(new Set(texts.filter((t) => t.startsWith('q'))).size).toBe(writers);
    });

    it('fails updateSession on a missing session with not_found', async () => {
      const error = await failureOf(updateSession(store, agent, 'never-created', (s) => s));
      expect(error.code).toBe('not_found');
    });

    it('expires a session after its TTL: gone for get and put, and its id free again', async () => {
      // Prepare
      const created = await store.create(agent, { ttlSeconds: 1 });
      expect(created.expires_at).toBeTypeOf('number');
      expect(await store.get(agent, created.id)).toBeDefined();
      // Act
      if (fixture.advance) await fixture.advance(2);
      // Assess: on a real clock, gone once the store's TTL has run out (waited for, not slept on)
      await vi.waitFor(async () => expect(await store.get(agent, created.id)).toBeUndefined(), { timeout: 5_000, interval: 100 });
      expect((await failureOf(store.put({ ...created, messages: [user('late')] }, 0))).code).toBe('not_found');
      const again = await store.create(agent, { id: created.id });
      expect(again.version).toBe(0);
    });

    it('round-trips a large message list exactly, tool blocks included', async () => {
      const created = await store.create(agent);
      const messages: Message[] = [];
      for (let i = 0; i < 150; i++) {
        messages.push(user(`question ${i} ${'x'.repeat(200)}`));
        messages.push({
          role: 'assistant',
          content: [{ type: 'tool_use', id: `toolu_${i}`, name: 'lookup', input: { i, nested: { ok: true, list: [1, 'two'] } } }],
        });
        messages.push({ role: 'user', content: [{ type: 'tool_result', tool_use_id: `toolu_${i}`, content: `result ${i} — ünïcödé`, is_error: i % 7 === 0 }] });
        messages.push(assistant(`answer ${i}`));
      }
      await store.put({ ...created, messages }, 0);
      const read = await store.get(agent, created.id);
      expect(read?.messages).toEqual(messages);
    });
  });
}
