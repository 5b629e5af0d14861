/**
 * The evaluation error of an expression. Messages name types, never values:
 * an expression reads `config`, whose secret parameters must not reach a log.
 */
import { AgentSpecError, ErrorCode } from '../errors.js';
import type { Span } from './ast.js';

/** A failed evaluation (`len(5)`, an unknown variable, a refused `matches`), located in the expression text. */
export class ExprEvalError extends AgentSpecError {
  readonly offset: number;
  readonly length: number;
  readonly hint: string | undefined;

  constructor(message: string, span: Span, hint?: string) {
    super(ErrorCode.ConfigError, message, { details: { offset: span.offset, length: span.length, ...(hint === undefined ? {} : { hint }) } });
    this.offset = span.offset;
    this.length = span.length;
    this.hint = hint;
  }
}

/** Thrown by an operator or function on operands it does not take; the evaluator locates it at the node. */
export class OperandError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}
