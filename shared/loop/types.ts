/**
 * The runtime's public shapes: the request and result of one invocation and
 * the events of a streamed run. These are exactly the payloads of the HTTP
 * API contract (design.md §3), so the HTTP layer serialises them as they are.
 */
import type { ScalarValue } from '../ir/types.js';
import type { ErrorCode } from '../errors.js';

export interface TokenUsage {
  input: number;
  output: number;
  cache_read: number;
  cache_write: number;
  total: number;
}

export interface InvokeRequest {
  message: string;
  variables?: Record<string, ScalarValue>;
  /** continue this session (it must exist) */
  sessionId?: string;
  signal?: AbortSignal;
}

export interface ToolCallRecord {
  id: string;
  name: string;
  input: unknown;
  output?: unknown;
  error?: string;
  status: 'ok' | 'error';
  duration_ms: number;
}

export interface InvokeResult {
  output: string;
  tool_calls: ToolCallRecord[];
  tokens: TokenUsage;
  turns: number;
  duration_ms: number;
  session_id?: string;
}

/** Events of a streamed run, in the order they happen; `done` or `error` is last. */
export type RunEvent =
  | { type: 'text'; data: { text: string } }
  | { type: 'tool_call_start'; data: { id: string; name: string; input: unknown } }
  | { type: 'tool_call_end'; data: ToolCallRecord }
  | {
      type: 'error';
      data: { error: ErrorCode; message: string; details?: Record<string, unknown> };
    }
  | { type: 'done'; data: InvokeResult };

export interface AgentInfo {
  name: string;
  model: string;
  strategy: string;
  skills: string[];
  counters: { invocations: number; errors: number; tokens: number };
}
