/**
 * Plain text from a tool whose output schema has one string field: the text
 * is that field's value. Packages written for the original toolchain declare
 * `output { time string }` for a command that prints the time (it never
 * checked outputs); reading the text as `{ time: "…" }` lets such a tool run
 * here unchanged while every other output is still checked as declared.
 */
import type { JsonSchema } from '../ir/types.js';

export function textAsOutput(output: unknown, schema: JsonSchema): unknown {
  if (typeof output !== 'string' || schema.type !== 'object') return output;
  const properties = schema.properties;
  if (typeof properties !== 'object' || properties === null) return output;
  const entries = Object.entries(properties as Record<string, { type?: unknown }>);
  if (entries.length !== 1 || entries[0]![1].type !== 'string') return output;
  return { [entries[0]![0]]: output.replace(/\n$/, '') };
}
