/**
 * From a place inside an expression to a place in its file: the language
 * validator knows where the expression text starts and gets an offset from
 * the parser or the check. Lines and columns count from 1, as diagnostics do.
 */

export interface Position {
  line: number;
  column: number;
}

/** The file position of `offset` in `text`, an expression whose first character is at `start`. */
export function positionInFile(start: Position, text: string, offset: number): Position {
  const before = text.slice(0, Math.max(0, Math.min(offset, text.length)));
  const lastBreak = before.lastIndexOf('\n');
  if (lastBreak < 0) return { line: start.line, column: start.column + before.length };
  const breaks = before.split('\n').length - 1;
  return { line: start.line + breaks, column: before.length - lastBreak };
}
