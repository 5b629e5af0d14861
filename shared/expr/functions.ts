/**
 * The fixed set of functions an expression may call. Each takes JSON-like
 * values and throws OperandError on a type it does not take; nil passes
 * through the string functions (`lower(nil)` is nil) and counts as empty.
 */
import { OperandError } from './errors.js';
import { applyBinary } from './operators.js';
import { describeKind, kindOf, textOf, type ExprMap } from './values.js';

export interface FunctionSpec {
  /** how it is called, for messages and the docs */
  signature: string;
  min: number;
  max: number;
  apply(args: readonly unknown[]): unknown;
}

const INT = /^[+-]?[0-9]+$/;
const FLOAT = /^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$/;

function text(name: string, value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value !== 'string') throw new OperandError(`${name} takes a string, not ${describeKind(value)}.`);
  return value;
}

function stringMap(name: string, transform: (s: string) => string): FunctionSpec {
  return {
    signature: `${name}(s)`,
    min: 1,
    max: 1,
    apply: ([s]) => {
      const value = text(name, s);
      return value === undefined ? null : transform(value);
    },
  };
}

function predicate(name: 'contains' | 'startsWith' | 'endsWith' | 'matches', second: string): FunctionSpec {
  return { signature: `${name}(s, ${second})`, min: 2, max: 2, apply: ([a, b]) => applyBinary(name, a, b) };
}

export const FUNCTIONS: ReadonlyMap<string, FunctionSpec> = new Map<string, FunctionSpec>([
  [
    'len',
    {
      signature: 'len(x)',
      min: 1,
      max: 1,
      apply: ([x]) => {
        switch (kindOf(x)) {
          case 'nil':
            return 0;
          case 'string':
            return codePoints(x as string);
          case 'list':
            return (x as unknown[]).length;
          case 'map':
            return Object.keys(x as ExprMap).length;
          default:
            throw new OperandError(`len takes a string, a list or a map, not ${describeKind(x)}.`);
        }
      },
    },
  ],
  ['lower', stringMap('lower', (s) => s.toLowerCase())],
  ['upper', stringMap('upper', (s) => s.toUpperCase())],
  ['trim', stringMap('trim', (s) => s.trim())],
  ['contains', predicate('contains', 'part')],
  ['startsWith', predicate('startsWith', 'prefix')],
  ['endsWith', predicate('endsWith', 'suffix')],
  ['matches', predicate('matches', 'regex')],
  [
    'split',
    {
      signature: 'split(s, sep)',
      min: 2,
      max: 2,
      apply: ([s, sep]) => {
        const value = text('split', s);
        const by = text('split', sep) ?? '';
        if (value === undefined) return [];
        return by === '' ? [...value] : value.split(by);
      },
    },
  ],
  [
    'join',
    {
      signature: 'join(list, sep)',
      min: 1,
      max: 2,
      apply: ([list, sep]) => {
        const by = text('join', sep) ?? '';
        if (kindOf(list) === 'nil') return '';
        if (!Array.isArray(list)) throw new OperandError(`join takes a list, not ${describeKind(list)}.`);
        return list.map(textOf).join(by);
      },
    },
  ],
  ['string', { signature: 'string(x)', min: 1, max: 1, apply: ([x]) => textOf(x) }],
  ['int', { signature: 'int(x)', min: 1, max: 1, apply: ([x]) => toNumber('int', x, INT, Math.trunc) }],
  ['float', { signature: 'float(x)', min: 1, max: 1, apply: ([x]) => toNumber('float', x, FLOAT, (n) => n) }],
]);

/** The number of Unicode code points of `s`, without building an array of them. */
function codePoints(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++, n++) {
    const low = s.charCodeAt(i + 1);
    if (s.charCodeAt(i) >= 0xd800 && s.charCodeAt(i) < 0xdc00 && low >= 0xdc00 && low < 0xe000) i++;
  }
  return n;
}

function toNumber(name: string, x: unknown, form: RegExp, finish: (n: number) => number): number {
  if (typeof x === 'number') return finish(x);
  if (typeof x === 'string' && form.test(x.trim())) return finish(Number(x.trim()));
  if (typeof x === 'string')
    throw new OperandError(
      `${name} cannot read this string as a number.`,
      name === 'int' ? 'int reads whole numbers such as 42 or -7' : 'float reads numbers such as 4.2 or 1e3',
    );
  throw new OperandError(`${name} takes a number or a string, not ${describeKind(x)}.`);
}
