/**
 * A content block as plain text, for places that must hand a conversation to
 * a model without tool blocks (a fallback agent, a summary prompt).
 */
import type { ContentBlock } from './types.js';

/** The block written out as text; tool calls and results become bracketed notes. */
export function blockText(block: ContentBlock): string {
  switch (block.type) {
    case 'text':
      return block.text;
    case 'tool_use':
      return `[called tool ${block.name} with ${JSON.stringify(block.input)}]`;
    case 'tool_result':
      return `[tool ${block.is_error ? 'error' : 'result'}: ${block.content}]`;
  }
}
