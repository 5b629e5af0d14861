/**
 * Session storage. Designed for remote stores (DynamoDB, Redis): every write
 * is a compare-and-set on `version`, so concurrent writers never lose data —
 * a writer that loses the race re-reads and re-applies (see `updateSession`).
 */
import type { Message } from '../llm/types.js';

export interface Session {
  id: string;
  agent: string;
  /** ISO-8601 */
  created_at: string;
  /** ISO-8601 */
  updated_at: string;
  /** incremented by every successful write; 0 for a session not yet written */
  version: number;
  messages: Message[];
  /** folded older conversation, for the `summary` memory strategy */
  summary?: string;
  /** epoch seconds after which the session is gone */
  expires_at?: number;
}

export interface CreateSessionOptions {
  id?: string;
  ttlSeconds?: number;
}

export interface SessionStore {
  create(agent: string, options?: CreateSessionOptions): Promise<Session>;
  /** undefined when absent or expired */
  get(agent: string, id: string): Promise<Session | undefined>;
  /**
   * Writes `session` if the stored version still equals `expectedVersion`;
   * returns the stored session (version incremented). Throws
   * `AgentSpecError('conflict')` when another writer got there first and
   * `not_found` when the session is gone.
   */
  put(session: Session, expectedVersion: number): Promise<Session>;
  /** true when something was deleted */
  delete(agent: string, id: string): Promise<boolean>;
  close(): Promise<void>;
}
