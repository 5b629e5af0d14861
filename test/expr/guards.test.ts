/** The guards: expression length, nesting depth, regular expression size, the text size `matches` accepts, and one compilation per pattern. */
import { describe, expect, it } from 'vitest';
import { compilePattern } from '../../shared/expr/regex.js';
import {
  evaluate,
  ExprEvalError,
  MAX_EXPRESSION_LENGTH,
  MAX_MATCH_INPUT_BYTES,
  MAX_NESTING,
  MAX_PATTERN_LENGTH,
  parseExpression,
} from '../../shared/expr/index.js';
import { parsed } from './tree.js';

function parseError(text: string) {
  const result = parseExpression(text);
  if (!('error' in result)) return expect.fail('parsed');
  return result.error;
}

describe('guards', () => {
  it('takes expressions up to 4096 characters and refuses longer ones at the first character past the limit', () => {
    expect(MAX_EXPRESSION_LENGTH).toBe(4096);
    const longest = `x == "${'a'.repeat(MAX_EXPRESSION_LENGTH - 7)}"`;
    expect(longest).toHaveLength(MAX_EXPRESSION_LENGTH);
    expect(parseExpression(longest)).toHaveProperty('expr');
    expect(parseError(`${longest} `)).toMatchObject({ message: expect.stringContaining('longer than 4096 characters'), offset: 4096, length: 1 });
  });

  it.each([
    ['parentheses', (n: number) => `${'('.repeat(n)}a${')'.repeat(n)}`, (n: number) => n - 1],
    ['lists', (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`, (n: number) => n - 1],
    ['calls', (n: number) => `${'lower('.repeat(n)}a${')'.repeat(n)}`, (n: number) => (n - 1) * 6 + 5],
    ['not', (n: number) => `${'not '.repeat(n)}a`, (n: number) => (n - 1) * 4],
    ['indexes', (n: number) => `a${'[a'.repeat(n)}${']'.repeat(n)}`, (n: number) => 1 + (n - 1) * 2],
  ])('takes %s nested 64 deep and refuses 65, at the 65th', (_name, build, at) => {
    expect(MAX_NESTING).toBe(64);
    expect(parseExpression(build(MAX_NESTING))).toHaveProperty('expr');
    expect(parseError(build(MAX_NESTING + 1))).toMatchObject({ message: expect.stringContaining('nests more than 64 levels'), offset: at(MAX_NESTING + 1) });
  });

  it('compiles patterns up to 512 characters and refuses longer ones, written or read from a value', () => {
    expect(MAX_PATTERN_LENGTH).toBe(512);
    expect(parseExpression(`x matches "${'a'.repeat(512)}"`)).toHaveProperty('expr');
    expect(parseError(`x matches "${'a'.repeat(513)}"`)).toMatchObject({
      message: expect.stringContaining('longer than 512 characters'),
      offset: 10,
      length: 515,
    });
    expect(() => evaluate(parsed('x matches p'), { x: 'a', p: 'b'.repeat(513) })).toThrow(/longer than 512 characters/);
  });

  it('runs matches on texts up to 100 KB (UTF-8) and refuses larger ones with the reason', () => {
    expect(MAX_MATCH_INPUT_BYTES).toBe(102400);
    const expr = parsed('output matches "z$"');
    expect(evaluate(expr, { output: `${'a'.repeat(MAX_MATCH_INPUT_BYTES - 1)}z` })).toBe(true);
    const refuse = (output: string): ExprEvalError => {
      try {
        evaluate(expr, { output });
      } catch (err) {
        if (err instanceof ExprEvalError) return err;
      }
      return expect.fail('not refused');
    };
    const err = refuse('a'.repeat(MAX_MATCH_INPUT_BYTES + 1));
    expect(err.message).toContain('matches refuses texts over 100 KB');
    expect(err.hint).toContain('no time limit');
    // 51,201 two-byte characters: under the limit in characters, over it in bytes
    expect(refuse('é'.repeat(MAX_MATCH_INPUT_BYTES / 2 + 1)).message).toContain('over 100 KB');
  });

  it('leaves contains and the other text operators unbounded', () => {
    expect(evaluate(parsed('output contains "z"'), { output: `${'a'.repeat(MAX_MATCH_INPUT_BYTES * 2)}z` })).toBe(true);
  });

  it('compiles each pattern once', () => {
    expect(compilePattern('^ab+c$')).toBe(compilePattern('^ab+c$'));
    expect(compilePattern('(?i)x')).not.toBe(compilePattern('x'));
  });
});
