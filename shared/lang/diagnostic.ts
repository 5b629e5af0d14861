/** Diagnostics: what the lexer, parser and validator report, and how they print. */
import { describeToken, type Range, type Token } from './tokens.js';

export interface Diagnostic {
  severity: 'error' | 'warning';
  message: string;
  hint?: string;
  file: string;
  line: number;
  column: number;
  endLine?: number;
  endColumn?: number;
  code?: string;
}

/** `file:line:col: error: message (hint: …)`, followed by a caret excerpt when `source` is given. */
export function renderDiagnostic(d: Diagnostic, source?: string): string {
  const head = `${d.file}:${d.line}:${d.column}: ${d.severity}: ${d.message}${d.hint ? ` (hint: ${d.hint})` : ''}`;
  return source === undefined ? head : `${head}\n${excerpt(source, d.line, d.column)}`;
}

/** The source line at `line` with a caret under `column`. */
export function excerpt(source: string, line: number, column: number): string {
  let start = 0;
  for (let l = 1; l < line; l++) {
    const next = source.indexOf('\n', start);
    if (next < 0) return '';
    start = next + 1;
  }
  let end = source.indexOf('\n', start);
  if (end < 0) end = source.length;
  const text = source.slice(start, end).replace(/\r$/, '');
  const gutter = `${line} | `;
  return `${gutter}${text}\n${' '.repeat(gutter.length + Math.max(0, column - 1))}^`;
}

/** A diagnostic located at a range. */
export function diagnosticAt(file: string, range: Range, severity: Diagnostic['severity'], message: string, hint?: string, code?: string): Diagnostic {
  const d: Diagnostic = {
    severity,
    message,
    file,
    line: range.start.line,
    column: range.start.column,
    endLine: range.end.line,
    endColumn: range.end.column,
  };
  if (hint !== undefined) d.hint = hint;
  if (code !== undefined) d.code = code;
  return d;
}

/** The one factory for syntax errors: `Expected "}", found <EOF>.` located at the found token. */
export function syntaxError(file: string, expected: string, found: Token, hint?: string): Diagnostic {
  return diagnosticAt(file, found, 'error', `Expected ${expected}, found ${describeToken(found)}.`, hint, 'syntax');
}
