/**
 * `router`: one classification call that must pick a delegate — the model
 * is forced (`tool_choice`) to call a `route` tool whose only argument is an
 * enum of the agent's delegates — then the conversation is handed to that
 * delegate as a nested invocation, whose streamed answer and tool calls are
 * the router's. The routing decision is recorded as a `route` tool call.
 */
import { AgentSpecError, ErrorCode } from '../../errors.js';
import type { ToolDefinition } from '../../llm/types.js';
import { callModel } from '../call-model.js';
import { checkDelegationDepth } from '../delegation.js';
import type { CompiledAgent, Strategy } from '../run-context.js';
import type { ToolCallRecord } from '../types.js';

export const ROUTE_TOOL = 'route';

const routeTools = new WeakMap<CompiledAgent, ToolDefinition[]>();

/** The forced `route` tool of a router agent, built once per agent. */
export function routeToolFor(agent: CompiledAgent): ToolDefinition[] {
  let tools = routeTools.get(agent);
  if (!tools) {
    const { delegates } = agent.attrs;
    tools = [
      {
        name: ROUTE_TOOL,
        description: `Send the user's message to the one agent best suited to handle it:\n${delegates.map((d) => `- "${d.agent}": when ${d.when}`).join('\n')}`,
        input_schema: {
          type: 'object',
          properties: { agent: { type: 'string', enum: delegates.map((d) => d.agent) } },
          required: ['agent'],
        },
      },
    ];
    routeTools.set(agent, tools);
  }
  return tools;
}

export const router: Strategy = async (ctx, conversation) => {
  const names = ctx.agent.attrs.delegates.map((d) => d.agent);
  if (names.length === 0) {
    throw new AgentSpecError(ErrorCode.ConfigError, `Agent "${ctx.agent.name}" uses the router strategy but declares no "delegate to agent".`);
  }
  const start = ctx.host.now();
  const turn = await callModel(ctx, conversation, {
    emitText: false,
    tools: routeToolFor(ctx.agent),
    toolChoice: { type: 'tool', name: ROUTE_TOOL },
  });
  const use = turn.toolUses.find((u) => u.name === ROUTE_TOOL);
  const picked = (use?.input as { agent?: unknown } | undefined)?.agent;
  if (typeof picked !== 'string' || !names.includes(picked)) {
    throw new AgentSpecError(ErrorCode.UpstreamError, `The router model did not pick one of its delegates (${names.join(', ')}).`, {
      details: { picked: typeof picked === 'string' ? picked : null },
    });
  }
  const record: ToolCallRecord = {
    id: use!.id,
    name: ROUTE_TOOL,
    input: use!.input,
    output: { agent: picked },
    status: 'ok',
    duration_ms: ctx.host.now() - start,
  };
  ctx.toolCalls.push(record);
  ctx.emit({ type: 'tool_call_start', data: { id: record.id, name: record.name, input: record.input } });
  ctx.emit({ type: 'tool_call_end', data: record });

  checkDelegationDepth(ctx, picked);
  const outcome = await ctx.host.runNested(picked, conversation, { parent: ctx, emit: ctx.emit });
  ctx.toolCalls.push(...outcome.toolCalls);
  ctx.progress.emitted += outcome.output;
  return { output: outcome.output, added: outcome.added.slice(-1) };
};
