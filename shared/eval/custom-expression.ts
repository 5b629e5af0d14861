/**
 * `custom` scoring's expressions: the `expect` text in the expression
 * language of validate rules (docs/expressions.md), over `input` (the case's
 * input), `output` (the answer) and `expect` (the expression's own text).
 */
import { evaluate, parseExpression } from '../expr/index.js';
import type { ScoreInput } from './scoring.js';

export function evaluateCustom(expression: string, env: ScoreInput): unknown {
  const parsed = parseExpression(expression);
  if ('error' in parsed) throw new Error(`${parsed.error.message} (at character ${parsed.error.offset + 1})`);
  return evaluate(parsed.expr, { input: env.input, output: env.output, expect: env.expect });
}
