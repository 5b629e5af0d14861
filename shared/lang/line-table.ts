/**
 * Offsets to `{line, column, offset}` locations. The lexer records where each
 * line starts as it goes; syntax-tree nodes keep only their start and end
 * offsets and a reference to the table, and a location is computed (binary
 * search) only when a diagnostic, the formatter or a test reads it.
 */
import type { Location, Range } from './tokens.js';
import { IntRows } from './int-rows.js';

export class LineTable {
  /** Offset of the first character of each line; line 1 starts at 0. */
  private readonly starts: IntRows;

  /** `expectedLines` sizes the first allocation. */
  constructor(expectedLines = 64) {
    this.starts = new IntRows(expectedLines);
    this.starts.push(0);
  }

  /** Records that a line starts at `offset`; offsets arrive in increasing order. */
  add(offset: number): void {
    this.starts.push(offset);
  }

  /** Gives the table's array back for reuse; the table must not be read after. */
  release(): void {
    this.starts.release();
  }

  /** Number of lines recorded so far. */
  get size(): number {
    return this.starts.length;
  }

  /** The location of `offset`: on the last line that starts at or before it. */
  locate(offset: number): Location {
    const starts = this.starts.data;
    let low = 0;
    let high = this.starts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (starts[mid]! <= offset) low = mid;
      else high = mid - 1;
    }
    return { line: low + 1, column: offset - starts[low]! + 1, offset };
  }
}

/** A range kept as two offsets into a {@link LineTable}; `start` and `end` are computed when read. */
export class OffsetRange implements Range {
  constructor(
    readonly offset: number,
    readonly endOffset: number,
    readonly lines: LineTable,
  ) {}

  get start(): Location {
    return this.lines.locate(this.offset);
  }

  get end(): Location {
    return this.lines.locate(this.endOffset);
  }
}
