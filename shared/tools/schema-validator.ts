/**
 * JSON Schema validation of tool input and output (draft 2020-12, the IR's
 * dialect) with `@cfworker/json-schema`: an interpreter, so a schema costs
 * nothing to prepare (no code generation at start, which matters on a cold
 * Lambda), and the validator the MCP SDK itself offers, so one validator
 * serves both. Each schema's validator is built once and cached by identity.
 */
import { Validator, type OutputUnit, type Schema } from '@cfworker/json-schema';
import type { JsonSchema } from '../ir/types.js';

export type Validation = { ok: true } | { ok: false; message: string };

/** Errors that only say a child failed; the child's own error says why. */
const WRAPPERS = new Set(['properties', 'items', 'prefixItems', 'allOf', '$ref', '$dynamicRef', 'patternProperties', 'false', 'unevaluatedProperties', 'unevaluatedItems', 'dependentSchemas', 'if', 'then', 'else']);
const MAX_LISTED = 8;

/** Builds and caches validators. One instance per registry. */
export class SchemaValidator {
  private readonly compiled = new WeakMap<JsonSchema, Validator>();

  /** Prepares a schema now, so a schema that cannot be used is reported at startup. */
  compile(schema: JsonSchema): Validator {
    let validator = this.compiled.get(schema);
    if (!validator) {
      if (typeof schema !== 'object' || schema === null) throw new TypeError('a JSON Schema must be an object');
      validator = new Validator(schema as Schema, '2020-12', false);
      this.compiled.set(schema, validator);
    }
    return validator;
  }

  /** Checks `value` against `schema`; the message lists each violation with its JSON pointer. */
  validate(schema: JsonSchema, value: unknown): Validation {
    const result = this.compile(schema).validate(value);
    if (result.valid) return { ok: true };
    return { ok: false, message: describe(result.errors) };
  }
}

/** One clause per violation with its JSON pointer, e.g. `/n: Instance type "string" is invalid. Expected "number"`. */
export function describe(errors: OutputUnit[]): string {
  const specific = errors.filter((e) => !WRAPPERS.has(e.keyword));
  const listed = specific.length > 0 ? specific : errors;
  const lines = listed.slice(0, MAX_LISTED).map((e) => `${pointerOf(e.instanceLocation)}: ${messageOf(e)}`);
  if (listed.length > MAX_LISTED) lines.push(`… and ${listed.length - MAX_LISTED} more`);
  return lines.join('; ');
}

/** The validator's sentence without its final period (callers end the sentence); extra properties said plainly. */
function messageOf(error: OutputUnit): string {
  const extra = error.keyword === 'additionalProperties' ? /^Property "(.*)" does not match/.exec(error.error) : null;
  const text = extra ? `property "${extra[1]}" is not allowed` : error.error;
  return text.endsWith('.') ? text.slice(0, -1) : text;
}

/** `#/a/0` → `/a/0`; `#` → `(root)`. */
function pointerOf(location: string): string {
  const pointer = location.startsWith('#') ? location.slice(1) : location;
  return pointer === '' ? '(root)' : pointer;
}
