/** `format(source, file)`: the canonical text of a source, or a syntax error. */
import { AgentSpecError, ErrorCode } from '../errors.js';
import { renderDiagnostic } from './diagnostic.js';
import { printFile } from './formatter.js';
import { parse } from './parser.js';

/** Formats `source` canonically; throws `syntax_error` (with `details.diagnostics`) when it does not parse. */
export function format(source: string, file: string): string {
  const parsed = parse(source, file);
  const errors = parsed.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) {
    throw new AgentSpecError(ErrorCode.SyntaxError, `${file} has syntax errors:\n${errors.map((d) => renderDiagnostic(d, source)).join('\n')}`, {
      details: { diagnostics: errors },
    });
  }
  try {
    return printFile(parsed.file);
  } finally {
    parsed.release();
  }
}
