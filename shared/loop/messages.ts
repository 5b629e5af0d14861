/** Small constructors for the messages strategies write. */
import type { Message } from '../llm/types.js';

/** A user message of one text block. */
export function userText(text: string): Message {
  return { role: 'user', content: [{ type: 'text', text }] };
}

/** An assistant message of one text block (or none: the API rejects empty text). */
export function assistantText(text: string): Message {
  return { role: 'assistant', content: text ? [{ type: 'text', text }] : [] };
}

/** The text of the conversation's last message: the user's request. */
export function taskOf(conversation: Message[]): string {
  const last = conversation.at(-1);
  if (!last) return '';
  let text = '';
  for (const block of last.content) if (block.type === 'text') text += (text ? '\n' : '') + block.text;
  return text;
}

/** The conversation before the user's request: the history a step sees before its own instruction. */
export function historyOf(conversation: Message[]): Message[] {
  return conversation.slice(0, -1);
}

/** A copy of the conversation whose last (user) message carries an extra instruction block. */
export function withInstruction(conversation: Message[], instruction: string): Message[] {
  const last = conversation.at(-1);
  if (!last || last.role !== 'user') return [...conversation, userText(instruction)];
  return [...conversation.slice(0, -1), { role: 'user', content: [...last.content, { type: 'text', text: instruction }] }];
}
