/** `{{name}}` placeholders inside strings. */

const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_.-]*)\s*\}\}/g;

/** Names of the `{{placeholders}}` in `text`, in order, without duplicates. */
export function placeholders(text: string): string[] {
  const out = new Set<string>();
  for (const m of text.matchAll(PLACEHOLDER)) out.add(m[1]!);
  return [...out];
}
