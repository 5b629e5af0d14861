/**
 * The system prompt of an agent: its prompt's content with `{{name}}`
 * variables substituted. The template is split once per agent so that
 * rendering on the hot path is a join, not a regex scan.
 */
import { PLACEHOLDER } from '../ir/placeholders.js';
import { AgentSpecError, ErrorCode } from '../errors.js';
import type { IRVariable, ScalarValue } from '../ir/types.js';

export interface PromptTemplate {
  /** literal text and variable names, alternating: even indexes are literals */
  readonly parts: readonly string[];
  readonly variables: readonly IRVariable[];
}

/** Splits a prompt's content into literals and placeholders. */
export function compilePrompt(content: string, variables: readonly IRVariable[]): PromptTemplate {
  const parts: string[] = [];
  let last = 0;
  for (const match of content.matchAll(PLACEHOLDER)) {
    parts.push(content.slice(last, match.index), match[1]!);
    last = match.index + match[0].length;
  }
  parts.push(content.slice(last));
  return { parts, variables };
}

/**
 * Renders the template with the caller's variables. Declared defaults fill
 * what the caller left out; a missing required variable is an
 * `invalid_request` naming it. A placeholder that is neither declared nor
 * given stays as written (the language only requires declarations when a
 * `variables` block exists).
 */
export function renderPrompt(template: PromptTemplate, given: Record<string, ScalarValue> | undefined): string {
  if (template.parts.length === 1) {
    checkRequired(template.variables, given);
    return template.parts[0]!;
  }
  const values = resolveVariables(template.variables, given);
  let out = template.parts[0]!;
  for (let i = 1; i < template.parts.length; i += 2) {
    const name = template.parts[i]!;
    const value = values.get(name);
    out += (value === undefined ? `{{${name}}}` : String(value)) + template.parts[i + 1]!;
  }
  return out;
}

function resolveVariables(declared: readonly IRVariable[], given: Record<string, ScalarValue> | undefined): Map<string, ScalarValue> {
  checkRequired(declared, given);
  const values = new Map<string, ScalarValue>();
  for (const variable of declared) {
    const value = given?.[variable.name] ?? variable.default;
    if (value !== undefined) values.set(variable.name, checkType(variable, value));
  }
  if (given) for (const [name, value] of Object.entries(given)) if (!values.has(name)) values.set(name, value);
  return values;
}

function checkRequired(declared: readonly IRVariable[], given: Record<string, ScalarValue> | undefined): void {
  for (const variable of declared) {
    if (variable.required && variable.default === undefined && given?.[variable.name] === undefined) {
      throw new AgentSpecError(ErrorCode.InvalidRequest, `Missing required prompt variable "${variable.name}".`, {
        details: { variable: variable.name },
      });
    }
  }
}

function checkType(variable: IRVariable, value: ScalarValue): ScalarValue {
  const expected = variable.type === 'bool' ? 'boolean' : variable.type;
  if (typeof value !== expected) {
    throw new AgentSpecError(ErrorCode.InvalidRequest, `Prompt variable "${variable.name}" must be a ${variable.type}, got ${typeof value}.`, {
      details: { variable: variable.name, expected: variable.type },
    });
  }
  return value;
}
