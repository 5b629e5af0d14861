/** Test helper: parse an expression or fail the test, and print a tree as a compact S-expression. */
import { expect } from 'vitest';
import { parseExpression, type Expr } from '../../shared/expr/index.js';

export function parsed(text: string): Expr {
  const result = parseExpression(text);
  if ('error' in result) expect.fail(`${text}: ${result.error.message} at ${result.error.offset}`);
  return result.expr;
}

/** `(or a (and b c))`, `a.b[0]`, `len(x)`: the shape of a tree, for precedence tests. */
export function show(expr: Expr): string {
  switch (expr.kind) {
    case 'literal':
      return expr.value === null ? 'nil' : JSON.stringify(expr.value);
    case 'list':
      return `[${expr.items.map(show).join(', ')}]`;
    case 'variable':
      return expr.name;
    case 'member':
      return `${show(expr.object)}.${expr.property}`;
    case 'index':
      return `${show(expr.object)}[${show(expr.index)}]`;
    case 'call':
      return `${expr.name}(${expr.args.map(show).join(', ')})`;
    case 'not':
      return `(not ${show(expr.operand)})`;
    case 'logical':
      return `(${expr.op} ${show(expr.left)} ${show(expr.right)})`;
    case 'binary':
      return `(${expr.negated ? 'not ' : ''}${expr.op} ${show(expr.left)} ${show(expr.right)})`;
  }
}
