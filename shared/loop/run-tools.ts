/**
 * Runs the tool uses of one model response. They run concurrently (each
 * tool's own timeout is the registry's job; all share the invocation's
 * signal) and their results come back in the order the model asked. A
 * failing tool becomes an `is_error` result for the model, never a crash.
 *
 * A call of a skill that needs approval never runs here: when the run can
 * wait (`pause` given), it gets an `approval_required` event instead of
 * `tool_call_start`, the turn's other calls run, and `RunPaused` ends the
 * run; when it cannot (a delegate, a step of another strategy), the model
 * gets an error result saying so.
 */
import { randomUUID } from 'node:crypto';
import type { ContentBlock, Message } from '../llm/types.js';
import type { PendingApproval } from '../runs/types.js';
import type { ToolResult } from '../tools/types.js';
import { RunPaused } from './approval-pause.js';
import type { ToolUse } from './call-model.js';
import { runDelegation } from './delegation.js';
import type { RunContext } from './run-context.js';
import type { ToolCallRecord } from './types.js';

/**
 * Runs every tool use and returns the `tool_result` blocks, in the model's
 * order. With `pause` (the conversation, this turn's assistant message
 * last), calls that need approval throw `RunPaused` once the others ran.
 */
export async function runTools(ctx: RunContext, uses: ToolUse[], pause?: { messages: Message[] }): Promise<ContentBlock[]> {
  const waiting = pause ? uses.filter((use) => ctx.host.approvals.ruleOf(use.name) !== undefined) : [];
  if (waiting.length === 0) return Promise.all(uses.map((use) => runOne(ctx, use, false)));
  const approvals = waiting.map((use) => pendingOf(ctx, use));
  for (const approval of approvals) ctx.emit({ type: 'approval_required', data: approval });
  const results = await Promise.all(uses.filter((use) => !waiting.includes(use)).map((use) => runOne(ctx, use, false)));
  throw new RunPaused(pause!.messages, results, approvals);
}

/** Runs a call a person approved. */
export function runApproved(ctx: RunContext, use: ToolUse): Promise<ContentBlock> {
  return runOne(ctx, use, true);
}

function pendingOf(ctx: RunContext, use: ToolUse): PendingApproval {
  const rule = ctx.host.approvals.ruleOf(use.name)!;
  return {
    id: randomUUID(),
    tool_call_id: use.id,
    skill: rule.skill,
    // shown to reviewers and stored with the run: never a secret the model came to repeat
    input: ctx.host.redactor.redactDeep(structuredClone(use.input)),
    expires_at: new Date(ctx.host.now() + rule.timeoutSeconds * 1000).toISOString(),
  };
}

async function runOne(ctx: RunContext, use: ToolUse, approved: boolean): Promise<ContentBlock> {
  // events and records are stored with the run: what they show of the input is redacted (the tool gets it whole)
  const input: unknown = ctx.host.redactor.redactDeep(use.input);
  ctx.emit({ type: 'tool_call_start', data: { id: use.id, name: use.name, input } });
  const start = ctx.host.now();
  const result =
    approved || ctx.host.approvals.ruleOf(use.name) === undefined
      ? await callTool(ctx, use)
      : {
          ok: false as const,
          error: `The tool "${use.name}" needs a person's approval, which only an agent invoked directly with the react strategy can wait for; it was not run.`,
        };
  const record: ToolCallRecord = result.ok
    ? { id: use.id, name: use.name, input, output: result.output, status: 'ok', duration_ms: ctx.host.now() - start }
    : { id: use.id, name: use.name, input, error: result.error, status: 'error', duration_ms: ctx.host.now() - start };
  ctx.toolCalls.push(record);
  ctx.emit({ type: 'tool_call_end', data: record });
  ctx.host.observer.record({
    type: 'tool_call',
    invocation_id: ctx.invocationId,
    agent: ctx.agent.name,
    tool: use.name,
    call_id: use.id,
    status: record.status,
    start_ms: start,
    duration_ms: record.duration_ms,
  });
  return result.ok
    ? { type: 'tool_result', tool_use_id: use.id, content: resultText(result.output) }
    : { type: 'tool_result', tool_use_id: use.id, content: result.error, is_error: true };
}

async function callTool(ctx: RunContext, use: ToolUse): Promise<ToolResult> {
  try {
    const delegate = ctx.agent.delegateByTool.get(use.name);
    if (delegate !== undefined) return await runDelegation(ctx, delegate, use.input);
    return await ctx.host.tools.call(ctx.agent.name, use.name, use.input, { signal: ctx.signal, agent: ctx.agent.name, callId: use.id });
  } catch (error) {
    // the registry promises not to throw; a registry bug still must not crash the run
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}

function resultText(output: unknown): string {
  if (typeof output === 'string') return output;
  return JSON.stringify(output) ?? 'null';
}
