/**
 * Runs the tool uses of one model response. They run concurrently (each
 * tool's own timeout is the registry's job; all share the invocation's
 * signal) and their results come back in the order the model asked. A
 * failing tool becomes an `is_error` result for the model, never a crash.
 */
import type { ContentBlock } from '../llm/types.js';
import type { ToolResult } from '../tools/types.js';
import type { ToolUse } from './call-model.js';
import { runDelegation } from './delegation.js';
import type { RunContext } from './run-context.js';
import type { ToolCallRecord } from './types.js';

/** Runs every tool use and returns the `tool_result` blocks, in the model's order. */
export function runTools(ctx: RunContext, uses: ToolUse[]): Promise<ContentBlock[]> {
  return Promise.all(uses.map((use) => runOne(ctx, use)));
}

async function runOne(ctx: RunContext, use: ToolUse): Promise<ContentBlock> {
  ctx.emit({ type: 'tool_call_start', data: { id: use.id, name: use.name, input: use.input } });
  const start = ctx.host.now();
  const result = await callTool(ctx, use);
  const record: ToolCallRecord = result.ok
    ? { id: use.id, name: use.name, input: use.input, output: result.output, status: 'ok', duration_ms: ctx.host.now() - start }
    : { id: use.id, name: use.name, input: use.input, error: result.error, status: 'error', duration_ms: ctx.host.now() - start };
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
