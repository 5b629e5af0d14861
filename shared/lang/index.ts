/**
 * The IntentLang 2.0 toolchain: lexer, parser, validator, formatter,
 * 1.0 → 2.0 migration and lowering to the IR.
 */
export { compile, check, type CompileOptions, type CompileResult } from './compile.js';
export { parse, MAX_SOURCE_BYTES, type ParseResult } from './parser.js';
export { validate } from './validate.js';
export { format } from './format.js';
export { migrateToV2 } from './migrate.js';
export { renderDiagnostic, excerpt, type Diagnostic } from './diagnostic.js';
export { lex } from './lexer.js';
export { TokenKind, type Token, type Location, type Range } from './tokens.js';
export type { FileNode, Entry, Body, Value } from './ast.js';
