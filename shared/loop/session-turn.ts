/**
 * A message in a session: before the run, load the session's history and
 * apply the agent's memory strategy (a `summary` folds older messages with a
 * model call, whose tokens count in the invocation and its budget); after
 * the run, append the new messages — and persist a fold — with a
 * compare-and-set retry, so that two messages sent at once to one session
 * both land.
 */
import { AgentSpecError, ErrorCode } from '../errors.js';
import type { Message, ModelProvider } from '../llm/types.js';
import { applyMemory, updateSession } from '../sessions/index.js';
import type { SessionStore } from '../sessions/types.js';
import { estimateInputTokens } from './limits.js';
import type { CompiledAgent } from './run-context.js';
import type { TokenMeter } from './token-meter.js';

/** `max_tokens` the sessions module gives a summary call. */
const SUMMARY_MAX_TOKENS = 1024;

export interface LoadedSession {
  id: string;
  /** what the model sees of the past conversation */
  history: Message[];
  /** a fold to persist with the turn: drop this many leading messages and keep `summary` */
  fold?: { dropped: number; previousSummary: string | undefined; summary: string | undefined };
}

/** Loads a session's history with the agent's memory applied; `not_found` when it does not exist. */
export async function loadConversation(
  store: SessionStore,
  agent: CompiledAgent,
  provider: ModelProvider,
  id: string,
  meter: TokenMeter,
  signal: AbortSignal | undefined,
): Promise<LoadedSession> {
  const session = await store.get(agent.name, id);
  if (!session) {
    throw new AgentSpecError(ErrorCode.NotFound, `No session "${id}" for agent "${agent.name}".`, { details: { session_id: id } });
  }
  const { memory } = agent.attrs;
  const folds = memory.strategy === 'summary' && session.messages.length > memory.max_messages;
  // a summary call is a model call: it must fit in the budget before it is made
  const reservation = folds
    ? meter.reserve(estimateInputTokens({ model: agent.model, messages: session.messages }), SUMMARY_MAX_TOKENS, SUMMARY_MAX_TOKENS).reservation
    : 0;
  const applied = await applyMemory(memory, session, provider, agent.model, { signal });
  meter.settle(reservation, applied.usage);
  const loaded: LoadedSession = { id, history: applied.messages };
  const dropped = session.messages.length - applied.session.messages.length;
  if (memory.strategy === 'summary' && dropped > 0) {
    loaded.fold = { dropped, previousSummary: session.summary, summary: applied.session.summary };
  }
  return loaded;
}

/**
 * Appends a turn's messages to the session. A fold is persisted only if no
 * other writer folded meanwhile (the summary is unchanged); messages other
 * writers appended are kept either way.
 */
export async function saveTurn(store: SessionStore, agent: CompiledAgent, loaded: LoadedSession, added: Message[]): Promise<void> {
  const { fold } = loaded;
  await updateSession(store, agent.name, loaded.id, (session) => {
    if (fold && session.summary === fold.previousSummary && session.messages.length >= fold.dropped) {
      session.messages.splice(0, fold.dropped);
      if (fold.summary !== undefined) session.summary = fold.summary;
    }
    session.messages.push(...added);
  });
}
