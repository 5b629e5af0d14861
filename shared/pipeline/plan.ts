/**
 * The dependency graph of a pipeline's steps. A step waits for its
 * `depends_on`, for every step its `input`/`when` templates read, and for the
 * step whose `output` label its `input` names. A step that is not `parallel`
 * and declares no `depends_on` runs after every earlier step (the original
 * sequential behaviour), so only `parallel` steps and explicit DAGs fan out.
 */
import { AgentSpecError, ErrorCode } from '../errors.js';
import type { IRStep } from '../ir/types.js';
import { referencedSteps } from './template.js';

/** Step name → names of the steps it waits for. Throws `invalid_request` on an unknown dependency or a cycle. */
export function planSteps(pipeline: string, steps: IRStep[]): Map<string, Set<string>> {
  const names = new Set(steps.map((s) => s.name));
  const byLabel = new Map(steps.filter((s) => s.output !== undefined).map((s) => [s.output!, s.name]));
  const deps = new Map<string, Set<string>>();
  steps.forEach((step, index) => {
    const wait = new Set(step.depends_on);
    if (!step.parallel && step.depends_on.length === 0) for (const earlier of steps.slice(0, index)) wait.add(earlier.name);
    for (const template of [step.input, step.when]) {
      if (template !== undefined) for (const name of referencedSteps(template)) wait.add(name);
    }
    const labelled = step.input === undefined ? undefined : byLabel.get(step.input);
    if (labelled !== undefined && labelled !== step.name) wait.add(labelled);
    for (const name of wait) {
      if (!names.has(name)) {
        throw new AgentSpecError(ErrorCode.InvalidRequest, `Pipeline "${pipeline}": step "${step.name}" depends on unknown step "${name}".`, {
          details: { pipeline, step: step.name, dependency: name },
        });
      }
    }
    deps.set(step.name, wait);
  });
  assertAcyclic(pipeline, deps);
  return deps;
}

function assertAcyclic(pipeline: string, deps: Map<string, Set<string>>): void {
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, path: string[]): void => {
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'visiting') {
      const cycle = [...path.slice(path.indexOf(name)), name];
      throw new AgentSpecError(ErrorCode.InvalidRequest, `Pipeline "${pipeline}" has a dependency cycle: ${cycle.join(' → ')}.`, {
        details: { pipeline, cycle },
      });
    }
    state.set(name, 'visiting');
    for (const dep of deps.get(name) ?? []) visit(dep, [...path, name]);
    state.set(name, 'done');
  };
  for (const name of deps.keys()) visit(name, []);
}
