/**
 * `{{field}}` and `{{secret.NAME}}` substitution for http tools. Fields are
 * looked up in the tool input (dotted paths reach nested fields); a missing
 * field renders as the empty string. How a value is written depends on where
 * it lands: URL-encoded in a url, JSON-escaped in a JSON body, as is elsewhere.
 */
import { PLACEHOLDER } from '../ir/placeholders.js';
import type { SecretVault } from '../secrets/vault.js';

export type TemplateContext = 'url' | 'json' | 'text';

/** The secret names a template uses. */
export function secretsIn(template: string): string[] {
  return [...template.matchAll(PLACEHOLDER)]
    .map((m) => m[1]!)
    .filter((p) => p.startsWith('secret.'))
    .map((p) => p.slice('secret.'.length));
}

/** Renders a template; secrets come from the vault (and are thereby registered for redaction). */
export async function render(template: string, input: unknown, where: TemplateContext, secrets: SecretVault): Promise<string> {
  const values = new Map<string, string>();
  for (const name of new Set(secretsIn(template))) values.set(name, await secrets.get(name));
  return template.replace(PLACEHOLDER, (_match, path: string) => {
    const value = path.startsWith('secret.') ? values.get(path.slice('secret.'.length)) : lookup(input, path);
    return write(value, where);
  });
}

function lookup(input: unknown, path: string): unknown {
  let value: unknown = input;
  for (const part of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

function write(value: unknown, where: TemplateContext): string {
  if (value === undefined || value === null) return where === 'json' && value === null ? 'null' : '';
  if (where === 'json') {
    // inside a JSON string literal a string needs escaping; objects and arrays are written as JSON
    return typeof value === 'string' ? JSON.stringify(value).slice(1, -1) : JSON.stringify(value);
  }
  const text = typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
  return where === 'url' ? encodeURIComponent(text) : text;
}
