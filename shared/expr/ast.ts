/**
 * The expression tree of `when`, `if`, `for each`, `with` and `respond`
 * expressions. Every node carries the span it was parsed from (`offset` and
 * `length` in UTF-16 units of the expression text), so a checker or an
 * evaluation error can point at it.
 */

/** Where a node, token or error sits inside the expression text. */
export interface Span {
  offset: number;
  length: number;
}

/** A problem found in an expression, located inside its text. */
export interface ExprError extends Span {
  message: string;
  hint?: string;
}

/** Comparisons and the word operators that take two operands. */
export type BinaryOperator = '==' | '!=' | '<' | '<=' | '>' | '>=' | 'in' | 'contains' | 'startsWith' | 'endsWith' | 'matches';

/** Word operators that `not` may negate in place: `a not in b`. */
export const NEGATABLE = new Set<BinaryOperator>(['in', 'contains', 'startsWith', 'endsWith', 'matches']);

export type Literal = string | number | boolean | null;

export type Expr =
  | (Span & { kind: 'literal'; value: Literal })
  | (Span & { kind: 'list'; items: Expr[] })
  | (Span & { kind: 'variable'; name: string })
  | (Span & { kind: 'member'; object: Expr; property: string })
  | (Span & { kind: 'index'; object: Expr; index: Expr })
  | (Span & { kind: 'call'; name: string; args: Expr[] })
  | (Span & { kind: 'not'; operand: Expr })
  | (Span & { kind: 'logical'; op: 'and' | 'or'; left: Expr; right: Expr })
  | (Span & { kind: 'binary'; op: BinaryOperator; negated: boolean; left: Expr; right: Expr });

/** The span from the start of `a` to the end of `b`. */
export function spanOf(a: Span, b: Span): Span {
  return { offset: a.offset, length: b.offset + b.length - a.offset };
}
