/**
 * The evaluator: a parsed expression over a plain environment of variables
 * (`input`, `output`, `config`, `session`, `steps`, loop variables). Reading a
 * missing key gives nil; a type error throws ExprEvalError at the node.
 * `and` / `or` stop at the first operand that decides them, and give booleans.
 */
import type { Expr } from './ast.js';
import { ExprEvalError, OperandError } from './errors.js';
import { FUNCTIONS } from './functions.js';
import { applyBinary } from './operators.js';
import { describeKind, kindOf, mapGet, textOf, truthy, type ExprMap } from './values.js';

export type Environment = Readonly<Record<string, unknown>>;

/** Properties of the `input` string that read the message itself (the original's examples write `input.message`). */
export const INPUT_ALIASES: ReadonlySet<string> = new Set(['message', 'text']);

export function evaluate(expr: Expr, env: Environment): unknown {
  try {
    return evaluateNode(expr, env);
  } catch (err) {
    if (err instanceof OperandError) throw new ExprEvalError(err.message, expr, err.hint);
    throw err;
  }
}

/** The value of `expr` as text, as `respond <expression>` sends it (see `string(x)`). */
export function evaluateText(expr: Expr, env: Environment): string {
  const value = evaluate(expr, env);
  try {
    return textOf(value);
  } catch (err) {
    if (err instanceof OperandError) throw new ExprEvalError(err.message, expr, err.hint);
    throw err;
  }
}

function evaluateNode(expr: Expr, env: Environment): unknown {
  switch (expr.kind) {
    case 'literal':
      return expr.value;
    case 'list':
      return expr.items.map((item) => evaluate(item, env));
    case 'variable':
      if (!Object.hasOwn(env, expr.name)) throw new ExprEvalError(`Unknown variable "${expr.name}".`, expr);
      return env[expr.name] ?? null;
    case 'member':
      return member(expr, env);
    case 'index':
      return index(evaluate(expr.object, env), evaluate(expr.index, env));
    case 'call': {
      const fn = FUNCTIONS.get(expr.name);
      if (!fn) throw new ExprEvalError(`Unknown function "${expr.name}".`, expr);
      return fn.apply(expr.args.map((arg) => evaluate(arg, env)));
    }
    case 'not':
      return !truthy(evaluate(expr.operand, env));
    case 'logical': {
      const left = truthy(evaluate(expr.left, env));
      if (expr.op === 'and' ? !left : left) return left;
      return truthy(evaluate(expr.right, env));
    }
    case 'binary': {
      const result = applyBinary(expr.op, evaluate(expr.left, env), evaluate(expr.right, env));
      return expr.negated ? !result : result;
    }
  }
}

function member(expr: Expr & { kind: 'member' }, env: Environment): unknown {
  const object = evaluate(expr.object, env);
  if (typeof object === 'string' && expr.object.kind === 'variable' && expr.object.name === 'input' && INPUT_ALIASES.has(expr.property)) return object;
  switch (kindOf(object)) {
    case 'nil':
      return null;
    case 'map':
      return mapGet(object as ExprMap, expr.property) ?? null;
    case 'list':
      throw new OperandError(`Cannot read .${expr.property} of a list.`, 'len(list) counts it, list[0] reads an element');
    default:
      throw new OperandError(`Cannot read .${expr.property} of ${describeKind(object)}.`);
  }
}

function index(object: unknown, key: unknown): unknown {
  switch (kindOf(object)) {
    case 'nil':
      return null;
    case 'map':
      if (typeof key !== 'string') throw new OperandError(`A map is indexed by a string, not ${describeKind(key)}.`);
      return mapGet(object as ExprMap, key) ?? null;
    case 'list': {
      const list = object as unknown[];
      if (typeof key !== 'number' || !Number.isInteger(key)) throw new OperandError(`A list is indexed by a whole number, not ${describeKind(key)}.`);
      return list[key < 0 ? list.length + key : key] ?? null;
    }
    default:
      throw new OperandError(`Cannot index ${describeKind(object)}.`, 'only lists and maps are indexed');
  }
}
