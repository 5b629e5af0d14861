/**
 * A message in a session: before the run, load the session's history and
 * apply the agent's memory strategy (a `summary` folds older messages with a
 * model call, whose tokens count in the invocation); after the run, append
 * the new messages with a compare-and-set retry so that two messages sent at
 * once to one session both land.
 */
import { AgentSpecError, ErrorCode } from '../errors.js';
import type { Message } from '../llm/types.js';
import { applyMemory, updateSession } from '../sessions/index.js';
import type { CompiledAgent, RunHost } from './run-context.js';
import type { TokenMeter } from './token-meter.js';
import type { SessionStore } from '../sessions/types.js';
import type { ModelProvider } from '../llm/types.js';

export interface LoadedSession {
  id: string;
  history: Message[];
}

interface SessionHost extends RunHost {
  readonly sessions: SessionStore;
}

/** Loads a session's history with the agent's memory applied; `not_found` when it does not exist. */
export async function loadConversation(
  host: SessionHost,
  agent: CompiledAgent,
  provider: ModelProvider,
  id: string,
  meter: TokenMeter,
): Promise<LoadedSession> {
  const session = await host.sessions.get(agent.name, id);
  if (!session) {
    throw new AgentSpecError(ErrorCode.NotFound, `No session "${id}" for agent "${agent.name}".`, { details: { session_id: id } });
  }
  const memory = await applyMemory(agent.attrs.memory, session, provider, agent.model);
  meter.settle(0, memory.usage);
  return { id, history: memory.messages };
}

/** Appends a turn's messages to the session, re-reading and re-applying on a concurrent write. */
export async function saveTurn(host: SessionHost, agent: CompiledAgent, id: string, added: Message[]): Promise<void> {
  await updateSession(host.sessions, agent.name, id, (session) => {
    session.messages.push(...added);
  });
}
