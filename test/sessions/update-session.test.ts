import { describe, expect, it } from 'vitest';
import { AgentSpecError } from '../../shared/errors.js';
import { MemorySessionStore } from '../../shared/sessions/memory-store.js';
import type { Session, SessionStore } from '../../shared/sessions/types.js';
import { updateSession } from '../../shared/sessions/update-session.js';

/** A store whose `put` fails with `error` the first `times` times, counting calls. */
function failingPuts(inner: SessionStore, error: () => Error, times: number): SessionStore & { puts: number } {
  const store = {
    puts: 0,
    create: inner.create.bind(inner),
    get: inner.get.bind(inner),
    delete: inner.delete.bind(inner),
    close: inner.close.bind(inner),
    async put(session: Session, expected: number) {
      store.puts++;
      if (store.puts <= times) throw error();
      return inner.put(session, expected);
    },
  };
  return store;
}

const conflict = () => new AgentSpecError('conflict', 'changed by another writer');

describe('updateSession', () => {
  it('accepts a mutate that returns a new session instead of changing the draft', async () => {
    const store = new MemorySessionStore();
    const { id } = await store.create('bot');
    const written = await updateSession(store, 'bot', id, (s) => ({ ...s, summary: 'replaced' }));
    expect(written).toMatchObject({ version: 1, summary: 'replaced' });
  });

  it('re-reads and re-applies after a conflict, running mutate once per attempt', async () => {
    const store = failingPuts(new MemorySessionStore(), conflict, 2);
    const { id } = await store.create('bot');
    let runs = 0;
    const written = await updateSession(store, 'bot', id, (s) => {
      runs++;
      s.summary = `run ${runs}`;
    });
    expect(store.puts).toBe(3);
    expect(runs).toBe(3);
    expect(written.summary).toBe('run 3');
  });

  it('gives up with conflict after the given number of attempts', async () => {
    const store = failingPuts(new MemorySessionStore(), conflict, Infinity);
    const { id } = await store.create('bot');
    const failure = updateSession(store, 'bot', id, (s) => s, { attempts: 4 });
    await expect(failure).rejects.toMatchObject({ code: 'conflict', details: { attempts: 4 } });
    expect(store.puts).toBe(4);
  });

  it('does not retry any other failure', async () => {
    const store = failingPuts(new MemorySessionStore(), () => new AgentSpecError('unavailable', 'store down'), 1);
    const { id } = await store.create('bot');
    await expect(updateSession(store, 'bot', id, (s) => s)).rejects.toMatchObject({ code: 'unavailable' });
    expect(store.puts).toBe(1);
  });
});
