/**
 * The `summary` memory strategy: when a session holds more than
 * `max_messages`, the older messages are folded into `session.summary` by one
 * model call (the previous summary included), and only a recent tail is kept.
 */
import { collect } from '../../llm/collect.js';
import { blockText } from '../../llm/block-text.js';
import type { Message, ModelProvider, Usage } from '../../llm/types.js';
import { ZERO_USAGE } from '../../llm/types.js';
import type { Session } from '../types.js';
import { slidingWindow } from './sliding-window.js';

export interface SummarizeOptions {
  maxMessages: number;
  provider: ModelProvider;
  /** model id without provider prefix */
  model: string;
  signal?: AbortSignal | undefined;
  /** `max_tokens` of the summary call (default 1024) */
  maxTokens?: number;
}

export interface Summarized {
  /** the session with older messages folded into `summary` */
  session: Session;
  /** tokens spent by the summary call (zero when nothing was folded) */
  usage: Usage;
}

export const SUMMARY_SYSTEM_PROMPT =
  'You maintain the running memory of a conversation between a user and an assistant. ' +
  'Write a concise summary that keeps every fact, decision, name, number, open question and tool result the assistant may need later. ' +
  'Merge the previous summary with the new messages into one summary. Answer with the summary only.';

/**
 * Folds the messages older than the kept tail into the summary. The tail is
 * at most half of `maxMessages` (rounded up, but at least one user/assistant
 * pair when the limit allows), so the next fold is not due at the very next
 * turn, and it starts at a clean user message like a sliding window.
 */
export async function summarize(session: Session, options: SummarizeOptions): Promise<Summarized> {
  if (session.messages.length <= options.maxMessages) return { session, usage: { ...ZERO_USAGE } };
  const tail = slidingWindow(session.messages, tailSize(options.maxMessages));
  const older = session.messages.slice(0, session.messages.length - tail.length);
  const response = await collect(
    options.provider.stream(
      {
        model: options.model,
        system: SUMMARY_SYSTEM_PROMPT,
        max_tokens: options.maxTokens ?? 1024,
        messages: [{ role: 'user', content: [{ type: 'text', text: summaryPrompt(session.summary, older) }] }],
      },
      options.signal ?? new AbortController().signal,
    ),
  );
  const summary = response.text.trim() || session.summary;
  return { session: { ...session, messages: tail, ...(summary ? { summary } : {}) }, usage: response.usage };
}

/** How many recent messages a fold may keep. */
export function tailSize(maxMessages: number): number {
  return Math.max(Math.ceil(maxMessages / 2), Math.min(2, maxMessages));
}

/** The user message of the summary call: the previous summary, then the messages to fold as a transcript. */
export function summaryPrompt(previous: string | undefined, older: readonly Message[]): string {
  const transcript = older.map((m) => `${m.role === 'user' ? 'User' : 'Assistant'}: ${m.content.map(blockText).join('\n')}`).join('\n\n');
  return [`Previous summary:\n${previous?.trim() || '(none)'}`, `New messages:\n${transcript}`, 'Write the updated summary.'].join('\n\n');
}
