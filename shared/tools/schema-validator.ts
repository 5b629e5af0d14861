/**
 * JSON Schema validation of tool input and output (draft 2020-12, the IR's
 * dialect). Each schema is prepared once and cached by identity.
 */
import { prepareSchema, type PreparedSchema } from '../ir/json-schema-validator.js';
import type { JsonSchema } from '../ir/types.js';

export type Validation = { ok: true } | { ok: false; message: string };

const MAX_LISTED = 8;

/** Prepares and caches validators. One instance per registry. */
export class SchemaValidator {
  private readonly compiled = new WeakMap<JsonSchema, PreparedSchema>();

  /** Prepares a schema now, so a schema that cannot be used is reported at startup. */
  compile(schema: JsonSchema): PreparedSchema {
    let prepared = this.compiled.get(schema);
    if (!prepared) {
      prepared = prepareSchema(schema);
      this.compiled.set(schema, prepared);
    }
    return prepared;
  }

  /** Checks `value` against `schema`; the message lists each violation with its JSON pointer. */
  validate(schema: JsonSchema, value: unknown): Validation {
    const violations = this.compile(schema).violations(value);
    if (violations.length === 0) return { ok: true };
    const listed = violations.slice(0, MAX_LISTED);
    if (violations.length > MAX_LISTED) listed.push(`… and ${violations.length - MAX_LISTED} more`);
    return { ok: false, message: listed.join('; ') };
  }
}
