/**
 * The values an expression works on (JSON-like: nil, booleans, numbers,
 * strings, lists, maps), and their truthiness, equality and text.
 */
import { OperandError } from './errors.js';

export type Kind = 'nil' | 'bool' | 'number' | 'string' | 'list' | 'map' | 'other';
export type ExprMap = Record<string, unknown>;

/** How deep `==` and `string()` look into nested lists and maps. */
const MAX_DEPTH = 64;

export function kindOf(value: unknown): Kind {
  if (value === null || value === undefined) return 'nil';
  switch (typeof value) {
    case 'boolean':
      return 'bool';
    case 'number':
      return 'number';
    case 'string':
      return 'string';
    case 'object':
      return Array.isArray(value) ? 'list' : 'map';
    default:
      return 'other';
  }
}

/** "a string", "nil", … for messages (never the value itself). */
export function describeKind(value: unknown): string {
  const kind = kindOf(value);
  switch (kind) {
    case 'nil':
      return 'nil';
    case 'bool':
      return 'a boolean';
    case 'other':
      return 'an unsupported value';
    default:
      return `a ${kind}`;
  }
}

/** The own key of a map, or undefined: never an inherited member such as `constructor`. */
export function mapGet(map: ExprMap, key: string): unknown {
  return Object.hasOwn(map, key) ? map[key] : undefined;
}

/** false, nil, 0, "", [] and {} are false; every other value is true. */
export function truthy(value: unknown): boolean {
  switch (kindOf(value)) {
    case 'nil':
      return false;
    case 'bool':
      return value as boolean;
    case 'number':
      return value !== 0 && !Number.isNaN(value);
    case 'string':
      return (value as string).length > 0;
    case 'list':
      return (value as unknown[]).length > 0;
    case 'map':
      return Object.keys(value as ExprMap).length > 0;
    case 'other':
      return true;
  }
}

/** Structural equality: same kind and same contents; nil equals only nil. */
export function equal(a: unknown, b: unknown, depth = 0): boolean {
  if (a === b) return true;
  if (depth > MAX_DEPTH) throw new OperandError(`Cannot compare values nested more than ${MAX_DEPTH} levels deep.`);
  const kind = kindOf(a);
  if (kind !== kindOf(b)) return false;
  switch (kind) {
    case 'nil':
      return true;
    case 'list': {
      const x = a as unknown[];
      const y = b as unknown[];
      return x.length === y.length && x.every((item, i) => equal(item, y[i], depth + 1));
    }
    case 'map': {
      const x = a as ExprMap;
      const y = b as ExprMap;
      const keys = Object.keys(x);
      return keys.length === Object.keys(y).length && keys.every((k) => Object.hasOwn(y, k) && equal(x[k], y[k], depth + 1));
    }
    default:
      return a === b;
  }
}

/** The text of a value, as `string(x)` and `respond` give it: nil is "", lists and maps are JSON. */
export function textOf(value: unknown): string {
  switch (kindOf(value)) {
    case 'nil':
      return '';
    case 'string':
      return value as string;
    case 'bool':
    case 'number':
      return String(value);
    case 'list':
    case 'map':
      return JSON.stringify(plain(value, 0));
    case 'other':
      throw new OperandError(`Cannot turn ${describeKind(value)} into text.`);
  }
}

/** A copy holding only what the language sees (no cycles, no functions), for JSON. */
function plain(value: unknown, depth: number): unknown {
  if (depth > MAX_DEPTH) throw new OperandError(`Cannot turn values nested more than ${MAX_DEPTH} levels deep into text.`);
  switch (kindOf(value)) {
    case 'nil':
      return null;
    case 'list':
      return (value as unknown[]).map((item) => plain(item, depth + 1));
    case 'map':
      return Object.fromEntries(Object.entries(value as ExprMap).map(([k, v]) => [k, plain(v, depth + 1)]));
    case 'other':
      throw new OperandError(`Cannot turn ${describeKind(value)} into text.`);
    default:
      return value;
  }
}
