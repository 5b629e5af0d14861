/**
 * Applies an agent's memory strategy to a session before a run: what the
 * model will see of the conversation, the session in its folded form, and the
 * tokens the strategy spent.
 */
import type { Message, ModelProvider, Usage } from '../../llm/types.js';
import { ZERO_USAGE } from '../../llm/types.js';
import type { Session } from '../types.js';
import { slidingWindow } from './sliding-window.js';
import { summarize } from './summarize.js';

export interface MemoryStrategy {
  strategy: 'sliding_window' | 'summary';
  max_messages: number;
}

export interface AppliedMemory {
  /** the history to send to the model: the kept messages, the summary (if any) leading the first user message */
  messages: Message[];
  /** the session's summary after the strategy ran */
  summary?: string;
  /** the session in its folded form (older messages dropped, summary updated), fit to persist */
  session: Session;
  /** tokens spent by the strategy (a summary call); zero for a sliding window */
  usage: Usage;
  /** the leading messages of the input session that a `summary` fold absorbed (none for a sliding window) */
  folded: Message[];
}

export const SUMMARY_HEADER = 'Summary of the earlier conversation:';

/**
 * Runs `memory` over `session`. `sliding_window` keeps the last
 * `max_messages`; `summary` folds older messages into `session.summary` with
 * one call to `provider` on `model` (a model id without provider prefix).
 */
export async function applyMemory(
  memory: MemoryStrategy,
  session: Session,
  provider: ModelProvider,
  model: string,
  options: { signal?: AbortSignal | undefined } = {},
): Promise<AppliedMemory> {
  if (memory.strategy === 'sliding_window') {
    const messages = slidingWindow(session.messages, memory.max_messages);
    return { messages, session: { ...session, messages }, usage: { ...ZERO_USAGE }, folded: [] };
  }
  const folded = await summarize(session, { maxMessages: memory.max_messages, provider, model, signal: options.signal });
  const { summary } = folded.session;
  return {
    messages: summary ? withSummary(folded.session.messages, summary) : folded.session.messages,
    ...(summary ? { summary } : {}),
    session: folded.session,
    usage: folded.usage,
    folded: session.messages.slice(0, session.messages.length - folded.session.messages.length),
  };
}

/** The history with the summary as a leading text block of its first user message (a new user message if there is none). */
export function withSummary(messages: readonly Message[], summary: string): Message[] {
  const block = { type: 'text' as const, text: `${SUMMARY_HEADER}\n${summary}` };
  const [first, ...rest] = messages;
  if (first?.role === 'user') return [{ ...first, content: [block, ...first.content] }, ...rest];
  return [{ role: 'user', content: [block] }, ...messages];
}
