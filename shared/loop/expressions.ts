/**
 * Expressions of `validate` rules and `on input` at run time: each text is
 * parsed once and kept, and a failure to parse or to evaluate becomes a
 * `config_error` naming the agent, the place and the expression as written
 * (the package's text, never a value: evaluation errors name kinds only).
 */
import { AgentSpecError, ErrorCode, isAgentSpecError } from '../errors.js';
import { evaluate, evaluateText, parseExpression, type Environment, type Expr } from '../expr/index.js';

/** Parsed expressions by text; the IRs a process loads hold a bounded number of them. */
const parsed = new Map<string, Expr>();
const MAX_KEPT = 10_000;

/** Where an expression sits, for messages: `the condition`, `the rule "x"`, … */
export interface ExprPlace {
  agent: string;
  place: string;
  text: string;
}

function parse(where: ExprPlace): Expr {
  let expr = parsed.get(where.text);
  if (!expr) {
    const result = parseExpression(where.text);
    if ('error' in result) throw failure(where, `it does not parse: ${result.error.message}`, { offset: result.error.offset });
    if (parsed.size >= MAX_KEPT) parsed.clear();
    parsed.set(where.text, (expr = result.expr));
  }
  return expr;
}

/** The value of the expression at `where`. */
export function valueOf(where: ExprPlace, env: Environment): unknown {
  return run(where, env, evaluate);
}

/** The text of the expression's value, as `respond` sends it. */
export function textOf(where: ExprPlace, env: Environment): string {
  return run(where, env, evaluateText);
}

function run<T>(where: ExprPlace, env: Environment, evaluator: (expr: Expr, env: Environment) => T): T {
  const expr = parse(where);
  try {
    return evaluator(expr, env);
  } catch (error) {
    throw evalFailure(where, error);
  }
}

function evalFailure(where: ExprPlace, error: unknown): unknown {
  if (!isAgentSpecError(error)) return error;
  return failure(where, error.message, error.details);
}

function failure(where: ExprPlace, reason: string, details: Record<string, unknown>): AgentSpecError {
  return new AgentSpecError(ErrorCode.ConfigError, `Agent "${where.agent}", ${where.place} \`${where.text}\` failed: ${reason}`, {
    details: { ...details, agent: where.agent, expression: where.text },
  });
}
