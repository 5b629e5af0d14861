/**
 * JSON Schema validation of tool input and output (draft 2020-12, the IR's
 * dialect) with ajv. Each schema is compiled once and cached by identity.
 */
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { JsonSchema } from '../ir/types.js';

// ajv-formats is CommonJS; under NodeNext its default export arrives wrapped
type AddFormats = (ajv: Ajv2020) => unknown;
const addFormats = ((addFormatsModule as unknown as { default?: AddFormats }).default ?? addFormatsModule) as AddFormats;

export type Validation = { ok: true } | { ok: false; message: string };

/** Compiles and caches validators. One instance per registry. */
export class SchemaValidator {
  private readonly ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true });
  private readonly compiled = new WeakMap<JsonSchema, ValidateFunction>();

  constructor() {
    addFormats(this.ajv);
  }

  /** Compiles a schema now (so a broken schema is reported at startup). Throws ajv's error on a bad schema. */
  compile(schema: JsonSchema): ValidateFunction {
    let validate = this.compiled.get(schema);
    if (!validate) {
      validate = this.ajv.compile(schema);
      this.compiled.set(schema, validate);
    }
    return validate;
  }

  /** Checks `value` against `schema`; the message lists each violation with its JSON pointer. */
  validate(schema: JsonSchema, value: unknown): Validation {
    const validate = this.compile(schema);
    if (validate(value)) return { ok: true };
    return { ok: false, message: describe(validate.errors ?? []) };
  }
}

function describe(errors: ErrorObject[]): string {
  const lines = errors.slice(0, 8).map((e) => {
    const at = e.instancePath === '' ? '(root)' : e.instancePath;
    const extra = e.keyword === 'additionalProperties' ? ` "${String((e.params as { additionalProperty?: unknown }).additionalProperty)}"` : '';
    return `${at} ${e.message ?? 'is invalid'}${extra}`;
  });
  if (errors.length > 8) lines.push(`… and ${errors.length - 8} more`);
  return lines.join('; ');
}
