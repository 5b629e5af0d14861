/** The regular expression engine of `matches` and guardrail patterns: RE2 syntax, linear time, reasons that never quote the pattern. */
import { describe, expect, it } from 'vitest';
import { compilePattern, tryCompilePattern } from '../../shared/expr/regex.js';
import { evaluate, parseExpression } from '../../shared/expr/index.js';

describe('regular expressions on RE2', () => {
  it('matches (a|aa)*c against a long run of a in linear time, where a backtracking engine takes exponential time', () => {
    const started = performance.now();
    expect(compilePattern('(a|aa)*c').test('a'.repeat(20_000))).toBe(false);
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it('understands inline flags anywhere in the pattern, as Go does', () => {
    expect(compilePattern('(?i)secret').test('A SECRET')).toBe(true);
    expect(compilePattern('x(?i:abc)').test('xABC')).toBe(true);
    expect(compilePattern('(?m)^b$').test('a\nb')).toBe(true);
  });

  it('refuses lookaround and backreferences, which RE2 does not have, at compile time', () => {
    expect(tryCompilePattern('(?=a)b')).toMatch(/^Invalid regular expression: invalid or unsupported Perl syntax\.$/);
    expect(tryCompilePattern('(a)\\1')).toMatch(/^Invalid regular expression/);
  });

  it('gives the reason without quoting the pattern, which may come from a secret value', () => {
    const reason = tryCompilePattern('(hunter2-value');
    expect(reason).toBe('Invalid regular expression: missing closing ).');
    expect(reason).not.toContain('hunter2');
  });

  it('returns the compiled matcher from tryCompilePattern when the pattern is accepted', () => {
    const compiled = tryCompilePattern('\\b\\d{3}-\\d{2}-\\d{4}\\b');
    expect(typeof compiled).toBe('object');
    expect(typeof compiled !== 'string' && compiled.test('no 123-45-6789 here')).toBe(true);
  });

  it('keeps the written-pattern check of matches at load', () => {
    expect(parseExpression('x matches "(?<=a)b"')).toHaveProperty('error');
    const parsed = parseExpression('x matches "^[a-z]+$"');
    if (!('expr' in parsed)) return expect.fail('did not parse');
    expect(evaluate(parsed.expr, { x: 'abc' })).toBe(true);
  });
});
