/** The line-start table: offsets to locations, the way the lexer counts them. */
import { describe, expect, it } from 'vitest';
import { LineTable, OffsetRange } from '../../shared/lang/line-table.js';
import { lex, parse } from '../../shared/lang/index.js';

/** A table filled the way the lexer fills it: a line starts after each "\n". */
function tableOf(source: string): LineTable {
  const table = new LineTable();
  for (let i = 0; i < source.length; i++) if (source[i] === '\n') table.add(i + 1);
  return table;
}

describe('LineTable', () => {
  it('locates offsets at line starts, inside lines, on the newline itself and at the end', () => {
    // Prepare
    const source = 'ab\n\ncde\nf';
    const table = tableOf(source);
    // Act
    const at = (offset: number) => table.locate(offset);
    // Assess
    expect(table.size).toBe(4);
    expect(at(0)).toEqual({ line: 1, column: 1, offset: 0 });
    expect(at(2)).toEqual({ line: 1, column: 3, offset: 2 });
    expect(at(3)).toEqual({ line: 2, column: 1, offset: 3 });
    expect(at(6)).toEqual({ line: 3, column: 3, offset: 6 });
    expect(at(9)).toEqual({ line: 4, column: 2, offset: 9 });
  });

  it('agrees with the locations the lexer computes for every token, across many lines', () => {
    // Prepare
    const source = Array.from({ length: 300 }, (_, i) => `${'  '.repeat(i % 4)}k${i} "v\n${i}" [1, 2] # c${i}`).join('\n');
    const { tokens, comments } = lex(source, 'x.ias');
    const table = tableOf(source);
    // Act
    const mismatches = [...tokens, ...comments].filter(
      (t) => JSON.stringify([table.locate(t.start.offset), table.locate(t.end.offset)]) !== JSON.stringify([t.start, t.end]),
    );
    // Assess
    expect(tokens.length).toBeGreaterThan(1500);
    expect(mismatches).toEqual([]);
  });

  it('backs node ranges that read like the tokens they span', () => {
    // Prepare
    const { file } = parse('prompt "p" {\n  content "a\nb"\n}\n', 'x.ias');
    const content = file.entries[0]!.body!.entries[0]!;
    // Act
    const range = new OffsetRange(content.range.start.offset, content.range.end.offset, tableOf('prompt "p" {\n  content "a\nb"\n}\n'));
    // Assess
    expect(content.keyRange.start).toEqual({ line: 2, column: 3, offset: 15 });
    expect(content.keyRange.end).toEqual({ line: 2, column: 10, offset: 22 });
    expect(content.args[0]!.range.end).toEqual({ line: 3, column: 3, offset: 28 });
    expect(range.start).toEqual(content.range.start);
    expect(range.end).toEqual({ line: 3, column: 3, offset: 28 });
  });
});
