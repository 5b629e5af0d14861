/**
 * The runtime's public shapes: the request and result of one invocation and
 * the events of a streamed run. These are exactly the payloads of the HTTP
 * API contract (docs/http-api.md), so the HTTP layer serialises them as they are.
 */
import type { ScalarValue } from '../ir/types.js';
import type { ErrorCode } from '../errors.js';
import type { PromptVariable } from '../ir/prompt-variables.js';
import type { ApprovalDecision, Checkpoint, PendingApproval } from '../runs/types.js';

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
  /** values for the agent's `config` parameters (checked against their declarations; never a secret one) */
  config?: Record<string, unknown>;
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

/** A violated `warning` rule of an agent's `validate` block, as results and the `done` event report it. */
export interface RuleWarning {
  rule: string;
  message: string;
}

export interface InvokeResult {
  output: string;
  tool_calls: ToolCallRecord[];
  tokens: TokenUsage;
  turns: number;
  duration_ms: number;
  session_id?: string;
  /** present when the agent declares `validate` rules: the violated `warning` rules (an `error` rule fails the run instead) */
  validation?: { warnings: { rule: string; message: string }[] };
  /** guardrails that fired (`warn` and `block`), never the text they matched */
  guardrails?: { guardrail: string; mode: 'warn' | 'block'; side: 'input' | 'output'; match: 'keyword' | 'pattern' | 'too_long' }[];
  /** the model that answered, for an agent with a `models` chain */
  model?: string;
}

/**
 * Events of a streamed run, in the order they happen; `done`, `error` or
 * `waiting` is last. A call of a skill that needs approval gives
 * `approval_required` instead of `tool_call_start`; the run then ends with
 * `waiting`, whose checkpoint `AgentRuntime.resume` goes on from (stored, never sent to clients).
 */
export type RunEvent =
  | { type: 'text'; data: { text: string } }
  | { type: 'tool_call_start'; data: { id: string; name: string; input: unknown } }
  | { type: 'tool_call_end'; data: ToolCallRecord }
  | { type: 'approval_required'; data: PendingApproval }
  | { type: 'waiting'; data: { approvals: PendingApproval[]; checkpoint: Checkpoint } }
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
  /** what its prompt takes (`promptVariables`) */
  variables: PromptVariable[];
  counters: { invocations: number; errors: number; tokens: number };
}

/**
 * What the HTTP layer, the Lambda functions and the pipeline executor need of a
 * runtime. `Runtime` (runtime.ts) implements it.
 */
export interface AgentRuntime {
  readonly ir: import('../ir/types.js').IRDocument;
  agents(): AgentInfo[];
  hasAgent(name: string): boolean;
  /**
   * Runs to the final answer. Throws `AgentSpecError` (invalid_request, not_found, timeout, budget_exceeded, …);
   * a run that pauses for approval throws `RunWaitingError` (code `conflict`, its checkpoint a property), so servers drive runs with `stream`.
   */
  invoke(agent: string, request: InvokeRequest): Promise<InvokeResult>;
  /** The same run as events; the last one is `done`, `error` or `waiting`. Never throws once iterated; an invalid request yields one `error`. */
  stream(agent: string, request: InvokeRequest): AsyncIterable<RunEvent>;
  /**
   * Goes on with a run that ended `waiting`, once every pending approval is
   * decided: approved calls run (with the edited input when given), rejected
   * and expired ones become tool results the model reads, then the loop
   * continues, and may pause again. Events as `stream`; a checkpoint that
   * is not this runtime's, or decisions that do not match it, yield one `error`.
   */
  resume(checkpoint: Checkpoint, decisions: readonly ApprovalDecision[], signal?: AbortSignal): AsyncIterable<RunEvent>;
  readonly sessions: import('../sessions/types.js').SessionStore;
  /** How this runtime's inline tools run (isolation mode, what is missing); absent when the package has none. */
  readonly isolation?: import('../sandbox/types.js').SandboxIsolation;
  /** Stops pooled servers, sandboxes and stores. */
  close(): Promise<void>;
}
