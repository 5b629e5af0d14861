/**
 * The two-operand operators. Ordering compares two numbers or two strings
 * (strings by code point, as Go compares them); any comparison with nil is
 * false. The word operators are false when an operand is nil, so a rule over
 * a missing value fails instead of passing.
 */
import type { BinaryOperator } from './ast.js';
import { OperandError } from './errors.js';
import { matchesPattern } from './regex.js';
import { describeKind, equal, kindOf, type ExprMap } from './values.js';

export function applyBinary(op: BinaryOperator, left: unknown, right: unknown): boolean {
  switch (op) {
    case '==':
      return equal(left, right);
    case '!=':
      return !equal(left, right);
    case '<':
    case '<=':
    case '>':
    case '>=':
      return order(op, left, right);
    case 'in':
      return membership(left, right);
    case 'contains':
      return membership(right, left);
    case 'startsWith':
      return stringTest(op, left, right, (a, b) => a.startsWith(b));
    case 'endsWith':
      return stringTest(op, left, right, (a, b) => a.endsWith(b));
    case 'matches':
      return stringTest(op, left, right, matchesPattern);
  }
}

function order(op: '<' | '<=' | '>' | '>=', left: unknown, right: unknown): boolean {
  const a = kindOf(left);
  const b = kindOf(right);
  if (a === 'nil' || b === 'nil') return false;
  if (a !== b || (a !== 'number' && a !== 'string')) {
    throw new OperandError(`Cannot order ${describeKind(left)} and ${describeKind(right)} with ${op}.`, 'both sides must be numbers, or both strings');
  }
  const c = a === 'number' ? (left as number) - (right as number) : compareCodePoints(left as string, right as string);
  return op === '<' ? c < 0 : op === '<=' ? c <= 0 : op === '>' ? c > 0 : c >= 0;
}

/** Negative, zero or positive as `a` sorts before, with or after `b` by Unicode code point. */
function compareCodePoints(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(j)!;
    if (x !== y) return x - y;
    i += x > 0xffff ? 2 : 1;
    j += y > 0xffff ? 2 : 1;
  }
  return (i < a.length ? 1 : 0) - (j < b.length ? 1 : 0);
}

/** `item in collection`: an element of a list, a key of a map, a substring of a string. */
function membership(item: unknown, collection: unknown): boolean {
  switch (kindOf(collection)) {
    case 'nil':
      return false;
    case 'list':
      return (collection as unknown[]).some((element) => equal(item, element));
    case 'map':
      return typeof item === 'string' && Object.hasOwn(collection as ExprMap, item);
    case 'string':
      if (kindOf(item) === 'nil') return false;
      if (typeof item !== 'string') throw new OperandError(`Cannot look for ${describeKind(item)} inside a string.`, 'only a string can be found in a string');
      return (collection as string).includes(item);
    default:
      throw new OperandError(`Cannot look inside ${describeKind(collection)}.`, 'in and contains take a list, a map or a string');
  }
}

function stringTest(op: string, left: unknown, right: unknown, test: (a: string, b: string) => boolean): boolean {
  if (kindOf(left) === 'nil' || kindOf(right) === 'nil') return false;
  if (typeof left !== 'string' || typeof right !== 'string') {
    throw new OperandError(`${op} takes two strings, not ${describeKind(left)} and ${describeKind(right)}.`);
  }
  return test(left, right);
}
