/**
 * The static check of a parsed expression against the variables of its
 * place: every variable is known (with a "did you mean"), the texts `input`
 * and `output` are read whole (`input.message` and `input.text` are the
 * message too; any other member of them is an error), and every part that
 * reads no variable is evaluated now, so `len(5)` fails when the package
 * loads instead of on a request.
 */
import { didYouMean } from '../lang/suggest.js';
import type { Expr, ExprError, Span } from './ast.js';
import { ExprEvalError } from './errors.js';
import { evaluate, INPUT_ALIASES } from './evaluate.js';

/** The variables that hold a text, and the members that read it. */
const TEXTS = new Map([
  ['input', { what: 'the message text', aliases: INPUT_ALIASES, hint: 'write input, input.message or input.text' }],
  ['output', { what: 'the answer text', aliases: new Set<string>(), hint: 'write output; len(output), output contains "…" and the like read it' }],
]);

export interface CheckContext {
  /** the variables in scope: e.g. input, config, session, steps and the loop variables around it */
  variables: readonly string[];
}

export function checkExpression(expr: Expr, context: CheckContext): ExprError[] {
  const errors: ExprError[] = [];
  const known = new Set(context.variables);
  const error = (span: Span, message: string, hint?: string): void => {
    errors.push({ message, offset: span.offset, length: span.length, ...(hint === undefined ? {} : { hint }) });
  };

  /** Walks `node`, returning whether it reads no variable (and so evaluated the same on every request). */
  const walk = (node: Expr): boolean => {
    if (node.kind === 'variable') {
      if (!known.has(node.name)) {
        const names = [...known].sort();
        error(
          node,
          `Unknown variable "${node.name}".`,
          didYouMean(node.name, names) ?? (names.length > 0 ? `the variables here are ${names.join(', ')}` : undefined),
        );
      }
      return false;
    }
    if (node.kind === 'member' && node.object.kind === 'variable' && known.has(node.object.name)) {
      const text = TEXTS.get(node.object.name);
      if (text && !text.aliases.has(node.property)) error(node, `"${node.object.name}" is ${text.what}: it has no .${node.property}.`, text.hint);
    }
    const children = childrenOf(node);
    const constant = children.map(walk);
    if (constant.every(Boolean)) return true;
    children.forEach((child, i) => {
      if (constant[i]) evaluateConstant(child);
    });
    return false;
  };

  const evaluateConstant = (node: Expr): void => {
    try {
      evaluate(node, {});
    } catch (err) {
      if (!(err instanceof ExprEvalError)) throw err;
      error(err, err.message, err.hint);
    }
  };

  if (walk(expr)) evaluateConstant(expr);
  return errors;
}

/** The sub-expressions of an expression node. */
export function childrenOf(node: Expr): Expr[] {
  switch (node.kind) {
    case 'literal':
    case 'variable':
      return [];
    case 'list':
      return node.items;
    case 'member':
      return [node.object];
    case 'index':
      return [node.object, node.index];
    case 'call':
      return node.args;
    case 'not':
      return [node.operand];
    case 'logical':
    case 'binary':
      return [node.left, node.right];
  }
}
