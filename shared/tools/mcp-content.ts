/** Maps an MCP `tools/call` result's content blocks to a tool result. */
import { parseOutput } from './tool-output.js';

export interface McpContentBlock {
  type: string;
  text?: string;
  [key: string]: unknown;
}

/**
 * A single text block becomes JSON when it parses, else its text; several
 * blocks become an array (text blocks as strings, others as they came);
 * no block becomes `null`.
 */
export function contentToResult(content: readonly McpContentBlock[] | undefined): unknown {
  if (!content || content.length === 0) return null;
  if (content.length === 1) return blockValue(content[0]!);
  return content.map((block) => (block.type === 'text' && typeof block.text === 'string' ? block.text : block));
}

function blockValue(block: McpContentBlock): unknown {
  if (block.type === 'text' && typeof block.text === 'string') return parseOutput(block.text);
  return block;
}

/** The text of the content blocks, for error messages. */
export function contentText(content: readonly McpContentBlock[] | undefined): string {
  return (content ?? [])
    .map((block) => (block.type === 'text' && typeof block.text === 'string' ? block.text : `[${block.type}]`))
    .join('\n')
    .trim();
}
