/**
 * Read-modify-write on a session with compare-and-set: a writer that loses
 * the race (`conflict`) re-reads and re-applies its change, so concurrent
 * messages to one session all land, each turn's messages kept together.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { AgentSpecError, ErrorCode, isAgentSpecError } from '../errors.js';
import type { Session, SessionStore } from './types.js';

export interface UpdateSessionOptions {
  /** how many read-modify-write rounds before giving up with `conflict` (default 32) */
  attempts?: number;
}

const DEFAULT_ATTEMPTS = 32;

/**
 * Applies `mutate` to the current session and writes it if nobody wrote in
 * between; otherwise retries with a fresh read. `mutate` gets a private copy
 * (a fresh read each attempt) and may change it in place (returning nothing) or return a new session; it
 * may run more than once, so it must not have side effects.
 * @example await updateSession(store, 'bot', id, (s) => { s.messages.push(user, assistant); });
 */
export async function updateSession(
  store: SessionStore,
  agent: string,
  id: string,
  mutate: (session: Session) => Session | void,
  options: UpdateSessionOptions = {},
): Promise<Session> {
  const attempts = Math.max(1, options.attempts ?? DEFAULT_ATTEMPTS);
  let lastConflict: unknown;
  for (let attempt = 0; attempt < attempts; attempt++) {
    const current = await store.get(agent, id);
    if (!current) {
      throw new AgentSpecError(ErrorCode.NotFound, `No session "${id}" for agent "${agent}".`, { details: { agent, session_id: id } });
    }
    const expectedVersion = current.version;
    // `get` hands out a private copy (part of the store contract), so `mutate` may change it in place
    const next = mutate(current) ?? current;
    try {
      return await store.put({ ...next, id, agent }, expectedVersion);
    } catch (error) {
      if (!isAgentSpecError(error, ErrorCode.Conflict)) throw error;
      lastConflict = error;
      // jittered backoff so that writers racing on a remote store spread out
      await sleep(Math.random() * Math.min(50, 2 ** attempt));
    }
  }
  throw new AgentSpecError(ErrorCode.Conflict, `Session "${id}" kept changing under ${attempts} write attempts; try again.`, {
    cause: lastConflict,
    details: { agent, session_id: id, attempts },
  });
}
