/**
 * The expression language of `validate` rules and `on input` control flow
 * (docs/expressions.md): parse a text into a tree with located errors, check
 * it against the variables in scope, evaluate it over a plain environment.
 */
export type { BinaryOperator, Expr, ExprError, Literal, Span } from './ast.js';
export { checkExpression, childrenOf, type CheckContext } from './check.js';
export { ExprEvalError } from './errors.js';
export { evaluate, evaluateText, type Environment } from './evaluate.js';
export { FUNCTIONS } from './functions.js';
export { MAX_EXPRESSION_LENGTH, MAX_MATCH_INPUT_BYTES, MAX_NESTING, MAX_PATTERN_LENGTH } from './limits.js';
export { parseExpression, type ParseResult } from './parser.js';
export { positionInFile, type Position } from './position.js';
export { ON_INPUT_VARIABLES, VALIDATE_VARIABLES } from './scopes.js';
export { truthy } from './values.js';
