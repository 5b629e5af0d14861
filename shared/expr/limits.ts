/** The guards of the expression language, in one place (docs/expressions.md lists them). */

/** Longest expression text accepted, in characters. */
export const MAX_EXPRESSION_LENGTH = 4096;
/** Deepest syntactic nesting: parentheses, brackets, call arguments and `not`. */
export const MAX_NESTING = 64;
/** Longest regular expression `matches` compiles, in characters. */
export const MAX_PATTERN_LENGTH = 512;
/** Largest text `matches` runs a regular expression on, in UTF-8 bytes. */
export const MAX_MATCH_INPUT_BYTES = 100 * 1024;
