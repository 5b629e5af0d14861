/** Canonical JSON (sorted keys, no whitespace) and SHA-256, for content hashes of the IR. */
import { hash } from 'node:crypto';

/**
 * Quoted object keys. IR documents repeat a small set of keys thousands of
 * times, so quoting each once saves a JSON.stringify per member; the cap keeps
 * a long-running process from growing it without bound on user-chosen keys.
 */
const QUOTED_KEYS = new Map<string, string>();
const QUOTED_KEYS_MAX = 4096;

/** `"key":`, quoted once per key. */
function quoteKey(key: string): string {
  let quoted = QUOTED_KEYS.get(key);
  if (quoted === undefined) {
    quoted = `${JSON.stringify(key)}:`;
    if (QUOTED_KEYS.size < QUOTED_KEYS_MAX) QUOTED_KEYS.set(key, quoted);
  }
  return quoted;
}

/**
 * Sorts strings by UTF-16 code units, as `Array.prototype.sort()` does, by
 * insertion: IR objects have a handful of keys, and the built-in sort's
 * working copy per call was a quarter of what a large compile allocated.
 */
function sortInPlace(keys: string[]): string[] {
  for (let i = 1; i < keys.length; i++) {
    const key = keys[i]!;
    let j = i - 1;
    while (j >= 0 && keys[j]! > key) {
      keys[j + 1] = keys[j]!;
      j--;
    }
    keys[j + 1] = key;
  }
  return keys;
}

/** JSON with object keys sorted at every level; `undefined` members are dropped as JSON.stringify does. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return value === undefined ? 'null' : JSON.stringify(value);
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ',';
      out += canonicalJson(value[i] === undefined ? null : value[i]);
    }
    return `${out}]`;
  }
  const record = value as Record<string, unknown>;
  const keys = sortInPlace(Object.keys(record));
  let out = '{';
  let first = true;
  for (const k of keys) {
    const v = record[k];
    if (v === undefined) continue;
    if (!first) out += ',';
    first = false;
    out += quoteKey(k) + canonicalJson(v);
  }
  return `${out}}`;
}

/**
 * Lower-case hex SHA-256 of a UTF-8 string. The one-shot `crypto.hash`
 * (Node ≥ 20.12) is two to three times faster than a Hash object for the
 * small texts hashed once per IR resource.
 */
export function sha256Hex(text: string): string {
  return hash('sha256', text, 'hex');
}
