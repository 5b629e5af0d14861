/**
 * Persisting a summary fold: without it, every turn past `max_messages`
 * would summarize the whole old history again. Meant to run inside
 * `updateSession`, where the stored session may have grown since the fold.
 */
import type { Session } from '../types.js';
import type { AppliedMemory } from './apply-memory.js';

/**
 * Drops the messages `applied` folded from the front of `stored` and records
 * the new summary — only when `stored` still starts with exactly those
 * messages (appends by other writers are fine; a concurrent fold or rewrite
 * leaves `stored` unchanged, so nothing unsummarized is ever lost).
 * @example await updateSession(store, agent, id, (s) => { foldSession(s, memory); s.messages.push(...turn); });
 */
export function foldSession(stored: Session, applied: AppliedMemory): Session {
  const count = applied.folded.length;
  if (count === 0 || applied.summary === undefined) return stored;
  const prefix = stored.messages.slice(0, count);
  if (prefix.length !== count || JSON.stringify(prefix) !== JSON.stringify(applied.folded)) return stored;
  stored.messages.splice(0, count);
  stored.summary = applied.summary;
  return stored;
}
