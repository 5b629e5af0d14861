/**
 * The variables each place of an expression defines (docs/expressions.md,
 * "Variables"), so that the language check and the runtime's environment
 * agree. Loop variables are added inside a `for each` body.
 */

/** `validate { rule … when <expr> }`: the request and the answer. */
export const VALIDATE_VARIABLES: readonly string[] = ['input', 'output', 'config', 'session'];

/** `on input { … }`: the request and the results of the skills used so far. */
export const ON_INPUT_VARIABLES: readonly string[] = ['input', 'config', 'session', 'steps'];
