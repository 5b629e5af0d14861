/** The parser: the accepted syntax, precedence, spans, and every syntax error with its location. */
import { describe, expect, it } from 'vitest';
import { parseExpression } from '../../shared/expr/index.js';
import { parsed, show } from './tree.js';

describe('accepted syntax', () => {
  it.each([
    ['"plain"', '"plain"'],
    ['"line\\nnext\\ttab"', JSON.stringify('line\nnext\ttab')],
    ['"say \\"hi\\""', JSON.stringify('say "hi"')],
    ['"back\\\\slash"', JSON.stringify('back\\slash')],
    ['"\\d+\\."', JSON.stringify('\\d+\\.')],
    ['"two\nlines"', JSON.stringify('two\nlines')],
    ['42', '42'],
    ['4.25', '4.25'],
    ['-3', '-3'],
    ['x > -1', '(> x -1)'],
    ['true', 'true'],
    ['false', 'false'],
    ['nil', 'nil'],
    ['[]', '[]'],
    ['[1, "a", nil, [true]]', '[1, "a", nil, [true]]'],
    ['[1, 2,]', '[1, 2]'],
    ['knowledge-search', 'knowledge-search'],
    ['steps.knowledge-search.result', 'steps.knowledge-search.result'],
    ['a-1', 'a-1'],
    ['_private', '_private'],
    ['größe', 'größe'],
    ['input . message', 'input.message'],
    ['config.in', 'config.in'],
    ['a[0]', 'a[0]'],
    ['a["k"].b[-1]', 'a["k"].b[-1]'],
    ['contains ( lower ( input.message ) , "billing" )', 'contains(lower(input.message), "billing")'],
    ['join(x)', 'join(x)'],
    ['join(x, ",")', 'join(x, ",")'],
  ])('%s', (text, tree) => {
    expect(show(parsed(text))).toBe(tree);
  });
});

describe('precedence: or < and < not < comparisons and word operators < member, index, call', () => {
  it.each([
    ['a or b and c', '(or a (and b c))'],
    ['a and b or c', '(or (and a b) c)'],
    ['a || b && !c', '(or a (and b (not c)))'],
    ['(a or b) and c', '(and (or a b) c)'],
    ['not a == b', '(not (== a b))'],
    ['! a == b', '(not (== a b))'],
    ['not a and b', '(and (not a) b)'],
    ['not not a', '(not (not a))'],
    ['not (a and b)', '(not (and a b))'],
    ['a == b and c != d', '(and (== a b) (!= c d))'],
    ['a < b or c <= d and e > f', '(or (< a b) (and (<= c d) (> e f)))'],
    ['a >= b', '(>= a b)'],
    ['a == b == c', '(== (== a b) c)'],
    ['a contains b or c in d', '(or (contains a b) (in c d))'],
    ['a startsWith b and a endsWith c', '(and (startsWith a b) (endsWith a c))'],
    ['a matches "x" == true', '(== (matches a "x") true)'],
    ['a not in b', '(not in a b)'],
    ['a not contains b', '(not contains a b)'],
    ['a not startsWith b', '(not startsWith a b)'],
    ['a not endsWith b', '(not endsWith a b)'],
    ['a not matches "x"', '(not matches a "x")'],
    ['not a in b', '(not (in a b))'],
    ['len(a.b[0]) > 1', '(> len(a.b[0]) 1)'],
    ['x in [1, 2] and y', '(and (in x [1, 2]) y)'],
    ['a and b and c', '(and (and a b) c)'],
  ])('%s', (text, tree) => {
    expect(show(parsed(text))).toBe(tree);
  });
});

describe('spans', () => {
  it('locates every node in the text', () => {
    const expr = parsed('a == "x" and len(b)');
    expect(expr).toMatchObject({ kind: 'logical', offset: 0, length: 19 });
    if (expr.kind !== 'logical') throw new Error('not logical');
    expect(expr.left).toMatchObject({ offset: 0, length: 8 });
    expect(expr.right).toMatchObject({ kind: 'call', offset: 13, length: 6 });
  });

  it('includes the parentheses of a grouped expression', () => {
    expect(parsed(' (a or b) ')).toMatchObject({ kind: 'logical', offset: 1, length: 8 });
  });
});

describe('syntax errors, located in the text', () => {
  it.each([
    // text, message, offset, length, hint
    ['', 'Expected an expression', 0, 0, undefined],
    ['   ', 'Expected an expression', 3, 0, undefined],
    ['a = b', 'Unexpected character "="', 2, 1, 'compare with =='],
    ['a & b', 'Unexpected character "&"', 2, 1, '&&'],
    ['a | b', 'Unexpected character "|"', 2, 1, '||'],
    ['a + b', 'Unexpected character "+"', 2, 1, 'no arithmetic'],
    ['a - b', 'Unexpected character "-"', 2, 1, 'inside a name'],
    ['a * 2', 'Unexpected character "*"', 2, 1, 'no arithmetic'],
    ['a / 2', 'Unexpected character "/"', 2, 1, 'no arithmetic'],
    ['a % 2', 'Unexpected character "%"', 2, 1, 'no arithmetic'],
    ["a == 'x'", 'Unexpected character "\'"', 5, 1, 'double quotes'],
    ['{a: 1}', 'Unexpected character "{"', 0, 1, 'no map literals'],
    ['a ? b : c', 'Unexpected character "?"', 2, 1, undefined],
    ['a == "abc', 'Unterminated string', 5, 4, 'close it'],
    ['"ends with \\"', 'Unterminated string', 0, 13, 'close it'],
    ['1.2.3', 'Malformed number', 0, 4, undefined],
    ['12abc', 'Malformed number', 0, 3, undefined],
    ['lenn(x)', 'Unknown function "lenn"', 0, 4, 'did you mean "len"?'],
    ['x == lowr(y)', 'Unknown function "lowr"', 5, 4, 'did you mean "lower"?'],
    ['explode(x)', 'Unknown function "explode"', 0, 7, 'the functions are len, lower'],
    ['constructor(x)', 'Unknown function "constructor"', 0, 11, undefined],
    ['len(a, b)', 'len takes 1 argument, not 2', 0, 9, 'len(x)'],
    ['contains(a)', 'contains takes 2 arguments, not 1', 0, 11, 'contains(s, part)'],
    ['join()', 'join takes 1 or 2 arguments, not 0', 0, 6, 'join(list, sep)'],
    ['len', '"len" is a function', 0, 3, 'call it as len(x)'],
    ['a b', 'Unexpected "b" after a complete expression', 2, 1, 'and / or'],
    ['a "b"', 'Unexpected string after a complete expression', 2, 3, undefined],
    ['a, b', 'Unexpected "," after a complete expression', 1, 1, undefined],
    ['a not b', 'Unexpected "not" after a complete expression', 2, 3, 'a not in b'],
    ['a == not b', 'Expected a value, found "not"', 5, 3, '(not b)'],
    ['a == !b', 'Expected a value, found "!"', 5, 1, '(!b)'],
    ['a)', 'Unexpected ")" after a complete expression', 1, 1, 'closes no ('],
    ['(a', 'Expected ")", found the end of the expression', 2, 0, 'to close the "(" at offset 0'],
    ['(a b', 'Expected ")", found "b"', 3, 1, undefined],
    ['[1, 2', 'Expected "]", found the end of the expression', 5, 0, undefined],
    ['x[1', 'Expected "]", found the end of the expression', 3, 0, undefined],
    ['len(x', 'Expected ")", found the end of the expression', 5, 0, undefined],
    ['a.', 'Expected a name after "."', 2, 0, undefined],
    ['a.1', 'Expected a name after "."', 2, 1, undefined],
    ['a ==', 'Expected a value, found the end of the expression', 4, 0, undefined],
    ['and', 'Expected a value, found the operator "and"', 0, 3, undefined],
    ['a == in', 'Expected a value, found the operator "in"', 5, 2, undefined],
    ['contains', '"contains" is a function', 0, 8, 'call it as contains(s, part), or write a contains b'],
    ['()', 'Expected a value, found ")"', 1, 1, undefined],
    ['x matches "("', 'Invalid regular expression', 10, 3, undefined],
    ['matches(x, "[a-")', 'Invalid regular expression', 11, 5, undefined],
    ['x matches "(a+)+$"', 'repeats a group that itself repeats', 10, 8, 'exponential'],
    ['x matches "(\\\\w+\\\\s?)*"', 'repeats a group that itself repeats', 10, 13, undefined],
    ['x matches "((ab)*c)+"', 'repeats a group that itself repeats', 10, 11, undefined],
    ['x matches "(a{2,})*"', 'repeats a group that itself repeats', 10, 10, undefined],
  ])('%j', (text, message, offset, length, hint) => {
    const result = parseExpression(text);
    if (!('error' in result)) return expect.fail(`parsed: ${show(result.expr)}`);
    expect(result.error.message).toContain(message);
    expect({ offset: result.error.offset, length: result.error.length }).toEqual({ offset, length });
    if (hint !== undefined) expect(result.error.hint).toContain(hint);
  });

  it.each([
    'x matches "(ab)+"',
    'x matches "(a?)+"',
    'x matches "(a{1,1})+"',
    'x matches "[(a+)]+"',
    'x matches "\\\\(a+\\\\)+"',
    'x matches "(a+)?"',
    'x matches "(?i)^hello"',
  ])('accepts the pattern without nested repetition %s', (text) => {
    expect(parseExpression(text)).toHaveProperty('expr');
  });
});
