/**
 * The eval cases of a package to run: every agent's declared cases, narrowed
 * to one agent (`--agent`) and to cases carrying any of the given tags
 * (`--tags`; a case without tags is left out when tags are given).
 */
import { AgentSpecError, ErrorCode } from '../errors.js';
import { resourcesOf, type IRDocument } from '../ir/types.js';
import type { EvalCase, EvalTarget } from './types.js';

export interface SelectOptions {
  agent?: string;
  tags?: string[];
}

/** The declared cases of each agent (agents without cases are absent). */
export function casesByAgent(ir: IRDocument): Map<string, EvalCase[]> {
  const out = new Map<string, EvalCase[]>();
  for (const agent of resourcesOf(ir, 'Agent')) {
    const cases = (agent.attributes as { eval?: EvalCase[] }).eval;
    if (cases && cases.length > 0) out.set(agent.name, cases);
  }
  return out;
}

/** The cases to run. Throws `not_found` for an agent the package does not have. */
export function selectCases(ir: IRDocument, options: SelectOptions = {}): EvalTarget[] {
  if (options.agent !== undefined && !resourcesOf(ir, 'Agent').some((a) => a.name === options.agent)) {
    const names = resourcesOf(ir, 'Agent').map((a) => a.name);
    throw new AgentSpecError(ErrorCode.NotFound, `No agent named "${options.agent}"; agents: ${names.join(', ') || 'none'}.`);
  }
  const tags = new Set(options.tags ?? []);
  const targets: EvalTarget[] = [];
  for (const [agent, cases] of casesByAgent(ir)) {
    if (options.agent !== undefined && agent !== options.agent) continue;
    for (const c of cases) if (tags.size === 0 || c.tags.some((t) => tags.has(t))) targets.push({ agent, case: c });
  }
  return targets;
}
