/**
 * The IntentLang toolchain (2.0 and 3.0): lexer, parser, validator,
 * formatter, migrations (1.0 → 2.0, 2.0 → 3.0), lowering to the IR, and the
 * compile of a package whose files import one another.
 */
export { compile, check, type CompileOptions, type CompileResult } from './compile.js';
export { parse, MAX_SOURCE_BYTES, type ParseResult } from './parser.js';
export { validate } from './validate.js';
export { format } from './format.js';
export { migrateToV2, migrateToV3, type MigrationToV3 } from './migrate.js';
export { compilePackage, IMPORT_LIMITS, type PackageHost, type PackageCompileOptions, type PackageCompileResult } from './compile-package.js';
export { renderDiagnostic, excerpt, type Diagnostic } from './diagnostic.js';
export { lex } from './lexer.js';
export { TokenKind, type Token, type Location, type Range } from './tokens.js';
export type { FileNode, Entry, Body, Value } from './ast.js';
