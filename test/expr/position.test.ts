/** positionInFile: an offset inside an expression becomes the file line and column a diagnostic shows. */
import { describe, expect, it } from 'vitest';
import { parseExpression, positionInFile } from '../../shared/expr/index.js';

describe('positionInFile', () => {
  const start = { line: 12, column: 10 };

  it.each([
    ['a == b', 0, { line: 12, column: 10 }],
    ['a == b', 5, { line: 12, column: 15 }],
    ['a == b\n  and c', 7, { line: 13, column: 1 }],
    ['a == b\n  and c', 13, { line: 13, column: 7 }],
    ['a\n\nb', 3, { line: 14, column: 1 }],
    ['a', 1, { line: 12, column: 11 }],
  ])('%j at %i', (text, offset, expected) => {
    expect(positionInFile(start, text, offset)).toEqual(expected);
  });

  it('places a parse error of a rule written over two lines on its own line', () => {
    const text = 'output != ""\n      and lenn(output) < 10';
    const result = parseExpression(text);
    if (!('error' in result)) return expect.fail('parsed');
    expect(positionInFile({ line: 7, column: 12 }, text, result.error.offset)).toEqual({ line: 8, column: 11 });
  });
});
