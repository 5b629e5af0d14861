/**
 * JSON Schema 2020-12 (the IR's dialect) validation with
 * `@cfworker/json-schema`, shared by the IR loader and the tool registry.
 * An interpreter: preparing a schema generates no code, so nothing is paid
 * at a cold start for schemas that are never used, and it is the validator
 * the MCP SDK offers itself. Violations read as `<pointer>: <sentence>`.
 */
import { Validator, type OutputUnit, type Schema } from '@cfworker/json-schema';
import type { JsonSchema } from './types.js';

/** Errors that only say a child failed; the child's own error says why. */
const WRAPPERS = new Set([
  'properties',
  'items',
  'prefixItems',
  'allOf',
  '$ref',
  '$dynamicRef',
  'patternProperties',
  'false',
  'unevaluatedProperties',
  'unevaluatedItems',
  'dependentSchemas',
  'if',
  'then',
  'else',
]);

/** One violation: where in the value (JSON pointer, `''` for the root), which keyword, and why. */
export interface Violation {
  pointer: string;
  keyword: string;
  message: string;
}

/** A prepared schema: `violations(value)` is empty when the value is valid. */
export interface PreparedSchema {
  /** `<pointer>: <sentence>` per violation */
  violations(value: unknown): string[];
  /** the same violations, structured */
  issues(value: unknown): Violation[];
}

/** A violation's JSON pointer as a dotted field path: `/targets/local/ids/pid` → `targets.local.ids.pid` (pointer escapes decoded). */
export function fieldPath(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((part) => decodeURIComponent(part).replaceAll('~1', '/').replaceAll('~0', '~'))
    .join('.');
}

/** Prepares `schema`; throws a `TypeError` for something that is not a schema object. */
export function prepareSchema(schema: JsonSchema): PreparedSchema {
  if (typeof schema !== 'object' || schema === null) throw new TypeError('a JSON Schema must be an object');
  const validator = new Validator(withDiscriminators(schema) as Schema, '2020-12', false);
  const issues = (value: unknown): Violation[] => {
    const result = validator.validate(value);
    return result.valid ? [] : describe(result.errors);
  };
  return {
    issues,
    violations: (value) => issues(value).map((v) => `${v.pointer === '' ? '(root)' : v.pointer}: ${v.message}`),
  };
}

/** The most specific violations, each once, messages without a final period. */
function describe(errors: OutputUnit[]): Violation[] {
  const specific = errors.filter((e) => !WRAPPERS.has(e.keyword) && !wrapsValueError(e, errors));
  return (specific.length > 0 ? specific : errors).map((e) => ({ pointer: pointerOf(e.instanceLocation), keyword: e.keyword, message: messageOf(e) }));
}

/**
 * An `additionalProperties` error over a schema (a map's value type) only
 * says that a property's value failed, which that value's own error says
 * better; over `false` it is the real error (a property that is not
 * allowed), and nothing is reported under its keyword.
 */
function wrapsValueError(error: OutputUnit, errors: OutputUnit[]): boolean {
  return error.keyword === 'additionalProperties' && errors.some((e) => e.keywordLocation.startsWith(`${error.keywordLocation}/`));
}

function messageOf(error: OutputUnit): string {
  const extra = error.keyword === 'additionalProperties' ? /^Property "(.*)" does not match/.exec(error.error) : null;
  const text = extra ? `property "${extra[1]}" is not allowed` : error.error;
  return text.endsWith('.') ? text.slice(0, -1) : text;
}

/** `#/a/0` → `/a/0`; `#` → `''`. */
function pointerOf(location: string): string {
  return location.startsWith('#') ? location.slice(1) : location;
}

/**
 * The OpenAPI `discriminator` (used by the IR schema: resources by `kind`,
 * tools by `type`) as plain JSON Schema: the tag must be one of the branches'
 * constants, and only the branch it names is checked (`if`/`then`). A failing
 * document is then reported against its own branch, not against every
 * alternative of a `oneOf`, and validation skips the branches it cannot be.
 */
function withDiscriminators(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(withDiscriminators);
  if (typeof schema !== 'object' || schema === null) return schema;
  const node = Object.fromEntries(Object.entries(schema).map(([k, v]) => [k, withDiscriminators(v)])) as Record<string, unknown>;
  const tag = (node.discriminator as { propertyName?: unknown } | undefined)?.propertyName;
  const branches = node.oneOf as Record<string, unknown>[] | undefined;
  if (typeof tag !== 'string' || !Array.isArray(branches)) return node;
  const constOf = (branch: Record<string, unknown>) => (branch.properties as Record<string, { const?: unknown }> | undefined)?.[tag]?.const;
  if (!branches.every((b) => constOf(b) !== undefined)) return node;
  const { discriminator: _discriminator, oneOf: _oneOf, ...rest } = node;
  return {
    ...rest,
    required: [...new Set([...((rest.required as string[] | undefined) ?? []), tag])],
    properties: { ...((rest.properties as Record<string, unknown> | undefined) ?? {}), [tag]: { enum: branches.map(constOf) } },
    allOf: branches.map((branch) => ({ if: { properties: { [tag]: { const: constOf(branch) } }, required: [tag] }, then: branch })),
  };
}
