/** The first version of a session, as every store creates it. */
import { randomUUID } from 'node:crypto';
import type { CreateSessionOptions, Session } from './types.js';

/** Now in epoch seconds, the unit of `Session.expires_at`. */
export const nowSeconds = (): number => Math.floor(Date.now() / 1000);

/**
 * The `expires_at` of a session living `ttlSeconds` from now. Now is rounded
 * up, so the session lives at least its TTL (up to a second more), never less.
 */
export const expiresAfter = (ttlSeconds: number): number => Math.ceil(Date.now() / 1000) + ttlSeconds;

/** A new, empty session (version 0) with its expiry set when a TTL applies. */
export function newSession(agent: string, options: CreateSessionOptions, defaultTtlSeconds: number | undefined): Session {
  const now = new Date().toISOString();
  const session: Session = { id: options.id ?? randomUUID(), agent, created_at: now, updated_at: now, version: 0, messages: [] };
  const ttl = options.ttlSeconds ?? defaultTtlSeconds;
  if (ttl !== undefined) session.expires_at = expiresAfter(ttl);
  return session;
}
