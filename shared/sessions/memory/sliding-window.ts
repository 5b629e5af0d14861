/**
 * The `sliding_window` memory strategy: keep the most recent messages, cut
 * only where the Messages API accepts a conversation to start.
 */
import type { Message } from '../../llm/types.js';

/**
 * A window can start only at a user message that carries no `tool_result`:
 * an assistant message cannot open a conversation, and a tool result whose
 * tool use was cut away is an orphan the API rejects.
 */
export function isConversationStart(message: Message): boolean {
  return message.role === 'user' && !message.content.some((block) => block.type === 'tool_result');
}

/**
 * The most recent messages, at most `maxMessages`, starting at a clean
 * conversation start — so a tool use is never separated from its result. The
 * window may hold fewer than `maxMessages` (even none) when the cut would
 * otherwise fall inside a tool exchange.
 */
export function slidingWindow(messages: readonly Message[], maxMessages: number): Message[] {
  if (messages.length <= maxMessages) return [...messages];
  if (maxMessages <= 0) return [];
  let start = messages.length - maxMessages;
  while (start < messages.length && !isConversationStart(messages[start]!)) start++;
  return messages.slice(start);
}
