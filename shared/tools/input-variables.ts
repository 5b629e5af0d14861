/**
 * The `INPUT_<FIELD>` variables inline bash code reads its input from: each
 * top-level scalar field of the tool input (string, number, boolean), named
 * with every character outside A-Z, a-z and 0-9 turned into `_`, in upper case.
 * The whole input stays on stdin as JSON; these are a convenience for shell
 * code such as `ls ${INPUT_PATH:-.}`.
 */

/** A value larger than this stays on stdin only: every program bash starts gets the environment, and Linux caps each entry at 128 KiB. */
export const MAX_INPUT_VARIABLE_BYTES = 32 * 1024;

/** `path` → `INPUT_PATH`, `max-depth` → `INPUT_MAX_DEPTH`, `größe` → `INPUT_GR__E`. */
export function inputVariableName(field: string): string {
  return `INPUT_${field.replace(/[^A-Za-z0-9]/g, '_').toUpperCase()}`;
}

/**
 * The variables of `input`. Skipped: non-objects, nested values, null, values
 * containing NUL (no environment can hold one) or above the size cap; when
 * two fields map to one name, the first in the input wins.
 */
export function inputVariables(input: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return out;
  for (const [field, value] of Object.entries(input)) {
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') continue;
    const text = String(value);
    const name = inputVariableName(field);
    if (name in out || text.includes('\0') || Buffer.byteLength(text) > MAX_INPUT_VARIABLE_BYTES) continue;
    out[name] = text;
  }
  return out;
}
