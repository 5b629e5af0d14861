import { describe, expect, it } from 'vitest';
import { MemorySessionStore } from '../../shared/sessions/memory-store.js';
import { runSessionStoreContract } from './session-store.contract.js';

function clock(start = Date.parse('2026-01-01T00:00:00Z')) {
  let now = start;
  return { now: () => now, advance: (seconds: number) => (now += seconds * 1000) };
}

runSessionStoreContract('MemorySessionStore', async () => {
  const time = clock();
  const store = new MemorySessionStore({ now: time.now });
  return {
    store,
    cleanup: () => store.close(),
    advance: async (seconds) => {
      time.advance(seconds);
    },
  };
});

describe('MemorySessionStore', () => {
  it('expires sessions after the default 24 h, and every write slides the expiry', async () => {
    // Prepare
    const time = clock();
    const store = new MemorySessionStore({ now: time.now });
    const session = await store.create('bot');
    // Act
    time.advance(23 * 3600);
    const written = await store.put(session, 0);
    time.advance(23 * 3600);
    // Assess: 46 h after creation, 23 h after the write
    expect(await store.get('bot', session.id)).toMatchObject({ version: 1 });
    time.advance(3600 + 1);
    expect(await store.get('bot', session.id)).toBeUndefined();
    expect(written.expires_at).toBe(Math.floor(Date.parse('2026-01-01T00:00:00Z') / 1000) + 23 * 3600 + 24 * 3600);
  });

  it('honours the ttlSeconds option', async () => {
    const time = clock();
    const store = new MemorySessionStore({ now: time.now, ttlSeconds: 60 });
    const session = await store.create('bot');
    time.advance(59);
    expect(await store.get('bot', session.id)).toBeDefined();
    time.advance(2);
    expect(await store.get('bot', session.id)).toBeUndefined();
  });

  it('never gives a session less than its TTL, even created at the end of a second', async () => {
    const time = clock(Date.parse('2026-01-01T00:00:00.999Z'));
    const store = new MemorySessionStore({ now: time.now, ttlSeconds: 1 });
    const session = await store.create('bot');
    time.advance(0.999);
    expect(await store.get('bot', session.id)).toBeDefined();
    expect(session.expires_at! * 1000 - Date.parse('2026-01-01T00:00:00.999Z')).toBeGreaterThanOrEqual(1000);
  });

  it('refuses use after close with unavailable', async () => {
    const store = new MemorySessionStore();
    await store.close();
    await expect(store.create('bot')).rejects.toMatchObject({ code: 'unavailable' });
  });
});
