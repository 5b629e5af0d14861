/**
 * The variables an agent's prompt takes: the declared ones with their type,
 * whether they are required and their default, then the placeholders of its
 * content that no declaration names (text, optional). What `/v1/agents`
 * lists and what `agentspec run --var` accepts.
 */
import type { VariableType } from './enums.js';
import { placeholders } from './placeholders.js';
import { findResource, type IRDocument, type ScalarValue } from './types.js';

export interface PromptVariable {
  name: string;
  type: VariableType;
  required: boolean;
  default?: ScalarValue;
}

export function promptVariables(ir: IRDocument, agent: string): PromptVariable[] {
  const promptName = findResource(ir, 'Agent', agent)?.attributes.prompt;
  const prompt = promptName === undefined ? undefined : findResource(ir, 'Prompt', promptName);
  if (!prompt) return [];
  const declared: PromptVariable[] = prompt.attributes.variables.map((v) => ({
    name: v.name,
    type: v.type,
    required: v.required,
    ...(v.default === undefined ? {} : { default: v.default }),
  }));
  const named = new Set(declared.map((v) => v.name));
  const undeclared = placeholders(prompt.attributes.content)
    .filter((name) => !named.has(name))
    .map((name): PromptVariable => ({ name, type: 'string', required: false }));
  return [...declared, ...undeclared];
}
