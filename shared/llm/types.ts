/**
 * The model provider interface: one streaming call per turn. Only
 * `anthropic-provider.ts` imports `@anthropic-ai/sdk`; everything else speaks
 * these neutral types (close to the Messages API, so mapping is cheap).
 */
import type { JsonSchema } from '../ir/types.js';

export type ContentBlock =
  | { type: 'text'; text: string }
  | { type: 'tool_use'; id: string; name: string; input: unknown }
  | { type: 'tool_result'; tool_use_id: string; content: string; is_error?: boolean };

export interface Message {
  role: 'user' | 'assistant';
  content: ContentBlock[];
}

export interface ToolDefinition {
  name: string;
  description: string;
  input_schema: JsonSchema;
}

export interface ModelRequest {
  /** model id without provider prefix */
  model: string;
  system?: string | undefined;
  messages: Message[];
  tools?: ToolDefinition[];
  temperature?: number | undefined;
  max_tokens?: number;
  /** force a tool: `{type:'auto'|'any'|'none'}` or `{type:'tool', name}` */
  tool_choice?: { type: 'auto' | 'any' | 'none' } | { type: 'tool'; name: string };
}

export interface Usage {
  input: number;
  output: number;
  cache_read: number;
  cache_write: number;
}

export type StopReason = 'end_turn' | 'tool_use' | 'max_tokens' | 'stop_sequence' | 'pause_turn' | 'refusal' | 'other';

/** What a provider's stream yields, in order: text deltas and tool uses as they complete, then usage, then stop. */
export type ModelEvent =
  | { type: 'text'; text: string }
  | { type: 'tool_use'; id: string; name: string; input: unknown }
  | { type: 'usage'; usage: Usage }
  | { type: 'stop'; reason: StopReason };

/** A model provider. `stream` must stop network work at once when `signal` aborts. */
export interface ModelProvider {
  stream(request: ModelRequest, signal: AbortSignal): AsyncIterable<ModelEvent>;
}

export const ZERO_USAGE: Usage = Object.freeze({ input: 0, output: 0, cache_read: 0, cache_write: 0 });
