/**
 * Delegation: each `delegate to agent "x" when "…"` is offered to the model
 * as a hand-off tool `delegate_to_x` taking `{message}`. Calling it runs x as
 * a nested invocation (its own prompt, tools and limits, its tokens counted
 * in the delegating agent's total and budget) and x's answer is the tool
 * result. Depth is bounded by the runtime's `maxDelegationDepth`.
 */
import { AgentSpecError, ErrorCode, isAgentSpecError } from '../errors.js';
import type { ToolDefinition } from '../llm/types.js';
import type { ToolResult } from '../tools/types.js';
import type { RunContext } from './run-context.js';

const TOOL_PREFIX = 'delegate_to_';

/** The hand-off tool name for a delegate (tool names allow `[a-zA-Z0-9_-]{1,64}`). */
export function delegateToolName(agent: string): string {
  return (TOOL_PREFIX + agent.replace(/[^a-zA-Z0-9_-]/g, '_')).slice(0, 64);
}

/** The hand-off tool definition for `delegate to agent <agent> when <when>`. */
export function delegateTool(agent: string, when: string): ToolDefinition {
  return {
    name: delegateToolName(agent),
    description: `Hand the request to the agent "${agent}" and get its answer. Use when ${when}.`,
    input_schema: {
      type: 'object',
      properties: { message: { type: 'string', description: 'What the agent should do, with every detail it needs.' } },
      required: ['message'],
    },
  };
}

/** Throws when one more level of delegation would pass the bound. */
export function checkDelegationDepth(ctx: RunContext, target: string): void {
  if (ctx.depth + 1 > ctx.host.maxDelegationDepth) {
    throw new AgentSpecError(
      ErrorCode.ConfigError,
      `Delegation from "${ctx.agent.name}" to "${target}" would exceed the delegation depth limit (${ctx.host.maxDelegationDepth}).`,
      { details: { max_delegation_depth: ctx.host.maxDelegationDepth, agent: ctx.agent.name, delegate: target } },
    );
  }
}

/** Runs a hand-off tool call; the delegate's failure is a tool error for the delegating model. */
export async function runDelegation(ctx: RunContext, target: string, input: unknown): Promise<ToolResult> {
  const message = typeof input === 'object' && input !== null ? (input as { message?: unknown }).message : undefined;
  if (typeof message !== 'string' || message.length === 0) {
    return { ok: false, error: 'The hand-off needs a non-empty string "message".' };
  }
  try {
    checkDelegationDepth(ctx, target);
    const outcome = await ctx.host.runNested(target, [{ role: 'user', content: [{ type: 'text', text: message }] }], {
      parent: ctx,
      // the delegate's text is not the delegating agent's answer: only its result returns
      emit: () => {},
    });
    return { ok: true, output: outcome.output };
  } catch (error) {
    // the caller leaving or the time running out ends the whole invocation
    if (ctx.signal.aborted) throw error;
    return { ok: false, error: isAgentSpecError(error) ? `${error.code}: ${error.message}` : 'The delegate failed.' };
  }
}
