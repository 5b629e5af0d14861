/**
 * One session store shared by every runtime a dev server loads: a hot reload
 * swaps the runtime but keeps conversations. The runtimes get a view whose
 * `close` does nothing; the server closes the real store at shutdown.
 */
import type { CreateSessionOptions, Session, SessionStore } from '../../shared/sessions/types.js';

export function keepOpen(store: SessionStore): SessionStore {
  return {
    create: (agent: string, options?: CreateSessionOptions) => store.create(agent, options),
    get: (agent: string, id: string) => store.get(agent, id),
    put: (session: Session, expectedVersion: number) => store.put(session, expectedVersion),
    delete: (agent: string, id: string) => store.delete(agent, id),
    close: async () => {},
  };
}
