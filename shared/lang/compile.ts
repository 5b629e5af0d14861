/** The toolchain's front door: source text to diagnostics and, when valid, the IR. */
import type { Diagnostic } from './diagnostic.js';
import { DocumentIndex } from './document.js';
import { lower } from './lower.js';
import { applyEnvironment } from './overlay.js';
import { parse, type ParseResult } from './parser.js';
import { sortDiagnostics, validate } from './validate.js';
import type { IRDocument } from '../ir/types.js';

export interface CompileOptions {
  /** File name used in diagnostics (and `.az` detection). */
  file: string;
  /** Environment overlay to apply. */
  env?: string;
}

export interface CompileResult {
  /** Present only when there is no error. */
  ir?: IRDocument;
  diagnostics: Diagnostic[];
}

/**
 * Parses, validates and lowers one `.ias` source.
 * @example const { ir, diagnostics } = compile(text, { file: 'agents.ias', env: 'dev' });
 */
export function compile(source: string, options: CompileOptions): CompileResult {
  const parsed = parse(source, options.file);
  try {
    return compileTree(parsed, options);
  } finally {
    // Nothing returned refers to the tree: diagnostics hold line and column
    // numbers, and the IR strings and numbers.
    parsed.release();
  }
}

function compileTree(parsed: ParseResult, options: CompileOptions): CompileResult {
  const { file } = options;
  let node = parsed.file;
  let doc = new DocumentIndex(node);
  const diagnostics = [...parsed.diagnostics, ...validate(node, file, doc)];
  if (diagnostics.some((d) => d.severity === 'error')) return { diagnostics: sortDiagnostics(diagnostics) };
  if (options.env !== undefined) {
    const overlaid = applyEnvironment(node, doc, options.env, file, diagnostics);
    if (!overlaid || diagnostics.some((d) => d.severity === 'error')) return { diagnostics: sortDiagnostics(diagnostics) };
    node = overlaid;
    doc = new DocumentIndex(node);
  }
  return { ir: lower(node, doc, options.env), diagnostics: sortDiagnostics(diagnostics) };
}

/** Parse and validate only: every diagnostic of a source. */
export function check(source: string, file: string): Diagnostic[] {
  const parsed = parse(source, file);
  try {
    return sortDiagnostics([...parsed.diagnostics, ...validate(parsed.file, file)]);
  } finally {
    parsed.release();
  }
}
