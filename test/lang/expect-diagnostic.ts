/** Test helper: assert that a source yields a diagnostic on a line whose message or hint contains a text. */
import { expect } from 'vitest';
import { compile, type Diagnostic } from '../../shared/lang/index.js';

export const HEADER = 'package "t" version "0.1.0" lang "2.0"\n';

/** A minimal valid package body (prompt + agent) to build failing cases from. */
export function pkg(body: string): string {
  return `${HEADER}${body}\n`;
}

/**
 * Compiles `src` and asserts a diagnostic of `severity` (default error) on `line`
 * whose message or hint contains `message` (case-insensitive). Returns it.
 */
export function expectDiagnostic(src: string, want: { line: number; message: string; severity?: Diagnostic['severity'] }, file = 'test.ias'): Diagnostic {
  const { diagnostics, ir } = compile(src, { file });
  const severity = want.severity ?? 'error';
  const needle = want.message.toLowerCase();
  const found = diagnostics.find((d) => d.severity === severity && d.line === want.line && `${d.message} ${d.hint ?? ''}`.toLowerCase().includes(needle));
  expect(
    found,
    `expected ${severity} on line ${want.line} containing "${want.message}", got:\n${diagnostics.map((d) => `${d.line}:${d.column} ${d.severity} ${d.message} (${d.hint ?? ''})`).join('\n')}`,
  ).toBeDefined();
  if (severity === 'error') expect(ir).toBeUndefined();
  return found!;
}
