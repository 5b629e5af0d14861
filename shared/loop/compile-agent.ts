/**
 * Prepares each agent of the IR once, when the runtime is built: its prompt
 * template, model id and hand-off tools, so an invocation does no parsing.
 */
import { findResource, type IRAgent, type IRDocument } from '../ir/types.js';
import { parseModel } from '../llm/model-string.js';
import type { ToolDefinition } from '../llm/types.js';
import { delegateTool, delegateToolName } from './delegation.js';
import { compilePrompt } from './prompt-template.js';
import type { CompiledAgent } from './run-context.js';

/** The compiled form of one IR agent. */
export function compileAgent(ir: IRDocument, agent: IRAgent): CompiledAgent {
  const attrs = agent.attributes;
  const prompt = attrs.prompt === undefined ? undefined : findResource(ir, 'Prompt', attrs.prompt);
  const delegateTools: ToolDefinition[] = [];
  const delegateByTool = new Map<string, string>();
  // a router hands over through its own `route` tool, not through hand-off tools
  if (attrs.strategy !== 'router') {
    for (const { agent: target, when } of attrs.delegates) {
      delegateTools.push(delegateTool(target, when));
      delegateByTool.set(delegateToolName(target), target);
    }
  }
  return {
    name: agent.name,
    attrs,
    model: modelId(attrs.model, attrs.provider),
    template: prompt ? compilePrompt(prompt.attributes.content, prompt.attributes.variables) : undefined,
    delegateTools,
    delegateByTool,
    counters: { invocations: 0, errors: 0, tokens: 0 },
  };
}

/** `anthropic/claude-x` → `claude-x` (the prefix in any case, as `parseModel` reads it); a bare id stays as it is. */
export function modelId(model: string, provider: string): string {
  const parsed = parseModel(model);
  return parsed.provider === provider.toLowerCase() ? parsed.model : model;
}
