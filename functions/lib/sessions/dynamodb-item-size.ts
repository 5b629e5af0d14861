/**
 * Keeps a session's messages within a byte budget (DynamoDB items are capped
 * at 400 KB). Chosen over spilling to S3 because a session is a working
 * memory, not an archive: the oldest turns are the ones the memory strategies
 * drop first anyway, and trimming needs no second service on the hot path.
 */
import type { ContentBlock, Message } from '../../../shared/llm/types.js';

const TRUNCATION_MARK = '…[truncated to fit the session store]';

/** Bytes of a value's JSON form, the way it is stored. */
export function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value), 'utf8');
}

/** A user message that opens a turn: text, no tool_result (which would orphan its tool_use). */
function opensTurn(message: Message): boolean {
  return message.role === 'user' && !message.content.some((block) => block.type === 'tool_result');
}

/**
 * Returns the longest suffix of `messages` that fits in `budget` bytes and
 * starts with a user message opening a turn, so tool_use/tool_result pairs
 * stay together. When even the last turn is too big, its large blocks are
 * truncated rather than failing the write.
 */
export function fitMessages(messages: Message[], budget: number): { messages: Message[]; trimmed: number } {
  if (jsonBytes(messages) <= budget) return { messages, trimmed: 0 };
  const starts = messages.map((m, i) => (opensTurn(m) ? i : -1)).filter((i) => i >= 0);
  for (const start of starts) {
    const suffix = messages.slice(start);
    if (jsonBytes(suffix) <= budget) return { messages: suffix, trimmed: start };
  }
  // Even the last turn does not fit: keep it, shortening its biggest blocks.
  const start = starts.length > 0 ? starts[starts.length - 1]! : Math.max(0, messages.length - 1);
  const suffix = messages.slice(start);
  return { messages: truncateBlocks(suffix, budget), trimmed: start };
}

function truncateBlocks(messages: Message[], budget: number): Message[] {
  const blocks = messages.reduce((n, m) => n + m.content.length, 0) || 1;
  // Leave room for structure: each block gets an equal share of what is left.
  const perBlock = Math.max(256, Math.floor((budget - jsonBytes(messages.map((m) => ({ role: m.role, content: [] })))) / blocks) - 512);
  const cut = (text: string): string => {
    if (Buffer.byteLength(text, 'utf8') <= perBlock) return text;
    return (
      Buffer.from(text, 'utf8')
        .subarray(0, perBlock)
        .toString('utf8')
        .replace(/\uFFFD$/, '') + TRUNCATION_MARK
    );
  };
  const shorten = (block: ContentBlock): ContentBlock => {
    if (block.type === 'text') return { ...block, text: cut(block.text) };
    if (block.type === 'tool_result') return { ...block, content: cut(block.content) };
    if (jsonBytes(block.input) <= perBlock) return block;
    return { ...block, input: { truncated: cut(JSON.stringify(block.input)) } };
  };
  return messages.map((m) => ({ role: m.role, content: m.content.map(shorten) }));
}
