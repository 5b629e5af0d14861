/**
 * The one grammar of `{{…}}` placeholders in IR strings (prompt contents,
 * pipeline inputs and conditions, http tool templates): an identifier, then
 * dotted segments of word characters and dashes, optionally padded with
 * spaces — `{{customer}}`, `{{ trigger.order.id }}`, `{{steps.fetch-data.output}}`,
 * `{{secret.api-token}}`. Anything else between braces is literal text
 * everywhere, so what the validator checks is exactly what the runtime fills.
 */
export const PLACEHOLDER = /\{\{\s*([A-Za-z_][\w-]*(?:\.[\w-]+)*)\s*\}\}/g;

/** The placeholder names in `text`, in order, without duplicates. */
export function placeholders(text: string): string[] {
  return [...new Set(Array.from(text.matchAll(PLACEHOLDER), (match) => match[1]!))];
}
