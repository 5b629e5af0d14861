/**
 * The checkpoint of a run paused on approvals: what `resume` needs to go on,
 * as plain JSON the run stores keep. It holds the conversation (the
 * assistant turn with its tool uses last), the results of that turn's calls
 * that ran, the calls waiting for a decision, the limits spent and the
 * request's own values (variables, non-secret config, session id). Never a
 * secret: secret config values are resolved again on resume, and every
 * string is passed through the redactor before the checkpoint leaves the
 * runtime. `readCheckpoint` checks the shape strictly: a corrupt or foreign
 * checkpoint is refused, never half-used.
 */
import { AgentSpecError, ErrorCode } from '../errors.js';
import type { ScalarValue } from '../ir/types.js';
import type { ContentBlock, Message } from '../llm/types.js';
import type { Checkpoint, PendingApproval } from '../runs/types.js';
import type { Redactor } from '../secrets/redactor.js';
import type { TokenUsage, ToolCallRecord } from './types.js';

export const CHECKPOINT_FORMAT = 'agentspec.checkpoint/1';

export interface RunCheckpoint {
  format: typeof CHECKPOINT_FORMAT;
  agent: string;
  /** the whole conversation; the paused assistant turn (with its tool uses) is last */
  messages: Message[];
  /** index of the run's user message in `messages`: what the session gets is `messages.slice(turn_from)` */
  turn_from: number;
  /** `tool_result` blocks of the paused turn's calls that ran */
  results: ContentBlock[];
  approvals: PendingApproval[];
  spent: { turns: number; tokens: TokenUsage; tool_calls: ToolCallRecord[]; elapsed_ms: number; model_link: number };
  session_id?: string;
  variables?: Record<string, ScalarValue>;
  /** the request's config values (never secret ones: those are refused in requests and re-resolved on resume) */
  config?: Record<string, unknown>;
}

/** The checkpoint as stored: a JSON copy with every known secret value redacted. */
export function writeCheckpoint(checkpoint: RunCheckpoint, redactor: Redactor): Checkpoint {
  // a JSON copy first: what is stored is plain JSON (no undefined fields, no class instances), whatever the loop held
  return redactor.redactDeep(JSON.parse(JSON.stringify(checkpoint)) as Checkpoint);
}

/** A stored checkpoint, checked; `invalid_request` for anything that is not one this runtime wrote. */
export function readCheckpoint(value: unknown): RunCheckpoint {
  const c = value as Partial<RunCheckpoint> | null;
  const problem = problemOf(c);
  if (problem) {
    throw new AgentSpecError(ErrorCode.InvalidRequest, `The checkpoint cannot be resumed: ${problem}.`, { details: { problem } });
  }
  return c as RunCheckpoint;
}

function problemOf(c: Partial<RunCheckpoint> | null): string | undefined {
  if (typeof c !== 'object' || c === null || Array.isArray(c)) return 'it is not an object';
  if (c.format !== CHECKPOINT_FORMAT) return `its format is not ${CHECKPOINT_FORMAT}`;
  if (typeof c.agent !== 'string' || c.agent === '') return 'it names no agent';
  if (!Array.isArray(c.messages) || !c.messages.every(isMessage)) return 'its messages are not a conversation';
  const last = c.messages.at(-1);
  if (last?.role !== 'assistant') return 'its conversation does not end with the paused assistant turn';
  if (!Number.isInteger(c.turn_from) || c.turn_from! < 0 || c.turn_from! >= c.messages.length) return 'its turn start is out of range';
  if (!Array.isArray(c.results) || !c.results.every((b) => isObject(b) && b.type === 'tool_result' && typeof b.tool_use_id === 'string')) {
    return 'its tool results are malformed';
  }
  if (!Array.isArray(c.approvals) || c.approvals.length === 0 || !c.approvals.every(isApproval)) return 'its pending approvals are malformed';
  const uses = new Set(last.content.flatMap((b) => (b.type === 'tool_use' ? [b.id] : [])));
  const answered = new Set([...c.results.map((b) => (b as { tool_use_id: string }).tool_use_id), ...c.approvals.map((a) => a.tool_call_id)]);
  if (answered.size !== uses.size || ![...uses].every((id) => answered.has(id))) return 'its pending calls do not match the paused turn';
  const s = c.spent;
  if (
    !isObject(s) ||
    !Number.isInteger(s.turns) ||
    !Number.isInteger(s.model_link) ||
    typeof s.elapsed_ms !== 'number' ||
    !isObject(s.tokens) ||
    !Array.isArray(s.tool_calls)
  ) {
    return 'its spent limits are malformed';
  }
  if (c.session_id !== undefined && typeof c.session_id !== 'string') return 'its session id is not a string';
  if (c.variables !== undefined && !isObject(c.variables)) return 'its variables are not an object';
  if (c.config !== undefined && !isObject(c.config)) return 'its config is not an object';
  return undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isMessage(value: unknown): value is Message {
  return isObject(value) && (value.role === 'user' || value.role === 'assistant') && Array.isArray(value.content) && value.content.every(isObject);
}

function isApproval(value: unknown): value is PendingApproval {
  return (
    isObject(value) &&
    typeof value.id === 'string' &&
    typeof value.tool_call_id === 'string' &&
    typeof value.skill === 'string' &&
    typeof value.expires_at === 'string' &&
    !Number.isNaN(Date.parse(value.expires_at))
  );
}
