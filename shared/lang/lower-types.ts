/** Compiles `type` declarations and skill input/output blocks to JSON Schema (draft 2020-12). */
import type { Body, Entry, Value } from './ast.js';
import type { JsonSchema } from '../ir/types.js';
import type { DocumentIndex } from './document.js';

export const JSON_SCHEMA_DIALECT = 'https://json-schema.org/draft/2020-12/schema';

const PRIMITIVES: Record<string, JsonSchema> = {
  string: { type: 'string' },
  int: { type: 'integer' },
  number: { type: 'number' },
  float: { type: 'number' },
  bool: { type: 'boolean' },
  timestamp: { type: 'string', format: 'date-time' },
  object: { type: 'object' },
};

/** Compiles types, inlining referenced types; a reference back into a type being compiled becomes `{type: "object"}` (recursion is cut). */
export class TypeCompiler {
  private readonly cache = new Map<string, JsonSchema>();
  private readonly stack = new Set<string>();

  constructor(private readonly doc: DocumentIndex) {}

  /** The schema of the declared type `name` (with `$schema`). */
  typeSchema(name: string): JsonSchema {
    // Copied member by member into `{}` (four in-object slots): a spread
    // after a literal member keeps the rest in a separate property array.
    const out: JsonSchema = {};
    out.$schema = JSON_SCHEMA_DIALECT;
    const named = this.named(name);
    for (const key in named) out[key] = named[key];
    return out;
  }

  /** An object schema for a field block (skill input/output). */
  fieldsSchema(body: Body | undefined): JsonSchema {
    return this.objectOf(body, JSON_SCHEMA_DIALECT);
  }

  private named(name: string): JsonSchema {
    const cached = this.cache.get(name);
    if (cached) return cached;
    const st = this.doc.names('type').get(name);
    // Recursion (and absurdly deep reference chains) are cut to a plain object.
    if (!st || this.stack.has(name) || this.stack.size >= 256) return { type: 'object' };
    this.stack.add(name);
    let schema: JsonSchema;
    const a = st.entry.args;
    if (st.entry.body) schema = this.objectOf(st.entry.body);
    else if (a[1]?.type === 'ident' && a[1].value === 'enum' && a[2]?.type === 'list') {
      schema = { type: 'string', enum: a[2].items.map((i) => (i.type === 'list' ? '' : i.value)) };
    } else if (a[1]?.type === 'ident' && a[1].value === 'list' && a[2]) schema = { type: 'array', items: this.ofType(a[2]) };
    else schema = {};
    this.stack.delete(name);
    this.cache.set(name, schema);
    return schema;
  }

  private ofType(v: Value): JsonSchema {
    if (v.type === 'string') return this.named(v.value);
    if (v.type === 'ident') return { ...(PRIMITIVES[v.value] ?? {}) };
    return {};
  }

  private objectOf(body: Body | undefined, dialect?: string): JsonSchema {
    const properties: Record<string, JsonSchema> = {};
    let required: string[] | undefined;
    for (const field of body?.entries ?? []) {
      properties[field.key] = this.field(field);
      if (field.args.some((v) => v.type === 'ident' && v.value === 'required')) (required ??= []).push(field.key);
    }
    // Whole literals, so every member is in-object; `required` sliced to its
    // length (a pushed-to array keeps room for 17).
    if (dialect === undefined) return required ? { type: 'object', properties, required: required.slice() } : { type: 'object', properties };
    return required ? { $schema: dialect, type: 'object', properties, required: required.slice() } : { $schema: dialect, type: 'object', properties };
  }

  private field(field: Entry): JsonSchema {
    const a = field.args;
    const isList = a[0]?.type === 'ident' && a[0].value === 'list';
    const schema: JsonSchema = isList ? { type: 'array', items: a[1] ? this.ofType(a[1]) : {} } : a[0] ? this.ofType(a[0]) : {};
    const d = a.findIndex((v) => v.type === 'ident' && v.value === 'default');
    const dv = d >= 0 ? a[d + 1] : undefined;
    if (dv && dv.type !== 'list') return { ...schema, default: coerceDefault(dv.value, schema.type) };
    return schema;
  }
}

/** A default written as a string coerced to the JSON Schema type it is the default of. */
export function coerceDefault(value: string | number | boolean, type: unknown): string | number | boolean {
  if (type === 'integer' || type === 'number') {
    const n = Number(value);
    return Number.isFinite(n) ? n : value;
  }
  if (type === 'boolean') return value === true || value === 'true';
  return typeof value === 'string' ? value : String(value);
}
