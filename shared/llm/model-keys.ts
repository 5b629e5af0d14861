/**
 * Which model keys a package needs: for each key variable (ANTHROPIC_API_KEY,
 * OPENAI_API_KEY), the agents whose `model` or `models` chain calls that
 * provider. With an environment the runtime's rule for bare ids applies (what
 * this machine will call); without one a bare id counts as Anthropic (what a
 * deploy target must provide, decided from the IR alone).
 */
import { resourcesOf, type IRDocument } from '../ir/types.js';
import { parseModel, type ModelEnv } from './model-string.js';
import { PROVIDER_ENV } from './provider-env.js';

/** Key variable → the agents (of `agents`, default all) that need it, in IR order. */
export function modelKeysNeeded(ir: IRDocument, env: ModelEnv = {}, agents?: readonly string[]): Map<string, string[]> {
  const wanted = agents ? new Set(agents) : undefined;
  const needed = new Map<string, string[]>();
  for (const agent of resourcesOf(ir, 'Agent')) {
    if (wanted && !wanted.has(agent.name)) continue;
    const models = [agent.attributes.model, ...(agent.attributes.models ?? [])];
    const variables = new Set(models.map((model) => (PROVIDER_ENV as Readonly<Record<string, { key?: string }>>)[parseModel(model, env).provider]?.key));
    for (const variable of variables) if (variable) needed.set(variable, [...(needed.get(variable) ?? []), agent.name]);
  }
  return needed;
}

/** The key variables the agents need that `env` does not set (blank counts as unset), with the agents needing each. */
export function missingModelKeys(ir: IRDocument, env: NodeJS.ProcessEnv, agents?: readonly string[]): Map<string, string[]> {
  const needed = modelKeysNeeded(ir, env, agents);
  for (const variable of needed.keys()) if (env[variable]?.trim()) needed.delete(variable);
  return needed;
}
