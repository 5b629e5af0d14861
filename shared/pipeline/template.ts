/**
 * Pipeline templates: `{{trigger.a.b}}` (any depth) and
 * `{{steps.NAME.output}}`. A missing value renders as the empty string, so a
 * `when` over a skipped or empty step is simply false; objects and arrays
 * render as JSON.
 */
import { PLACEHOLDER } from '../ir/placeholders.js';

export interface TemplateScope {
  trigger: Record<string, unknown>;
  /** outputs of finished steps by step name */
  outputs: ReadonlyMap<string, string>;
}

/** Renders a template against the trigger and the finished steps' outputs. */
export function renderTemplate(template: string, scope: TemplateScope): string {
  return template.replace(PLACEHOLDER, (_match, expression: string) => stringify(lookup(expression, scope)));
}

/** Step names a template reads (`{{steps.NAME.output}}`). */
export function referencedSteps(template: string): string[] {
  const names: string[] = [];
  for (const match of template.matchAll(PLACEHOLDER)) {
    const path = match[1]!.split('.');
    if (path[0] === 'steps' && path[1] !== undefined) names.push(path[1]);
  }
  return names;
}

function lookup(expression: string, scope: TemplateScope): unknown {
  const [root, ...path] = expression.split('.').map((p) => p.trim());
  if (root === 'trigger') {
    let value: unknown = scope.trigger;
    for (const key of path) {
      if (value === null || typeof value !== 'object' || !Object.hasOwn(value, key)) return undefined;
      value = (value as Record<string, unknown>)[key];
    }
    return value;
  }
  if (root === 'steps' && path.length === 2 && path[1] === 'output') return scope.outputs.get(path[0]!);
  return undefined;
}

function stringify(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
}
