/** Property tests: no text makes the parser, the check or the evaluator throw anything but their own located errors. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkExpression, evaluate, ExprEvalError, parseExpression, type Span } from '../../shared/expr/index.js';

const ENV = { input: 'Hello billing', output: 'An answer 123', config: { tags: ['a', 'b'], n: 3, on: true }, session: { user: { name: 'x' } }, steps: {} };

const pieces = [
  ...['input', 'output', 'config', 'session', 'steps', 'x', 'knowledge-search', '.message', '.tags', '.n', '.user', '.name', '[0]', '[-1]', '["n"]'],
  ...['==', '!=', '<', '<=', '>', '>=', '&&', '||', '!', 'and', 'or', 'not', 'in', 'contains', 'startsWith', 'endsWith', 'matches'],
  ...['len(', 'lower(', 'split(', 'join(', 'int(', 'float(', 'string(', 'matches(', 'contains(', '(', ')', '[', ']', ',', '.'],
  ...['"a"', '"(a+)+"', '"["', '""', '"\\d"', '"unterminated', '1', '-2', '4.5', 'true', 'false', 'nil', '=', '+', "'", ' ', '\n'],
];

/** Expressions built from the language's own tokens, so that many of them parse. */
const soup = fc.array(fc.constantFrom(...pieces), { minLength: 1, maxLength: 14 }).map((parts) => parts.join(' '));

const OPERATORS = ['==', '!=', '<', '<=', '>', '>=', 'in', 'contains', 'startsWith', 'endsWith', 'matches', 'not in', 'not contains', 'and', 'or', '&&', '||'];
const FUNCTION_NAMES = ['len', 'lower', 'upper', 'trim', 'contains', 'startsWith', 'endsWith', 'matches', 'split', 'join', 'string', 'int', 'float'];
const ATOMS = [
  'input',
  'input.message',
  'output',
  'config',
  'config.tags',
  'config.tags[0]',
  'config.n',
  'session.user.name',
  'steps',
  '"a"',
  '"(a+)+"',
  '"1"',
  '1',
  '-2.5',
  'nil',
  'true',
  '[1, "a", nil]',
  '[]',
];

/** Expressions written by the grammar (arity aside), each operand in parentheses or not. */
const { wellFormed } = fc.letrec<{ wellFormed: string }>((tie) => ({
  wellFormed: fc.oneof(
    { depthSize: 'small' },
    fc.constantFrom(...ATOMS),
    fc
      .tuple(tie('wellFormed'), fc.constantFrom(...OPERATORS), tie('wellFormed'), fc.boolean())
      .map(([a, op, b, bare]) => (bare && !a.startsWith('not') && !b.startsWith('not') ? `${a} ${op} ${b}` : `(${a}) ${op} (${b})`)),
    fc.tuple(fc.constantFrom(...FUNCTION_NAMES), fc.array(tie('wellFormed'), { minLength: 1, maxLength: 2 })).map(([f, args]) => `${f}(${args.join(', ')})`),
    tie('wellFormed').map((e) => `not (${e})`),
  ),
}));

function inside(text: string, span: Span): void {
  expect(span.offset).toBeGreaterThanOrEqual(0);
  expect(span.length).toBeGreaterThanOrEqual(0);
  expect(span.offset + span.length).toBeLessThanOrEqual(text.length);
}

function exercise(text: string): void {
  const result = parseExpression(text);
  if ('error' in result) return inside(text, result.error);
  inside(text, result.expr);
  for (const error of checkExpression(result.expr, { variables: Object.keys(ENV) })) inside(text, error);
  try {
    evaluate(result.expr, ENV);
  } catch (err) {
    expect(err).toBeInstanceOf(ExprEvalError);
    inside(text, err as ExprEvalError);
  }
}

describe('expression fuzzing', () => {
  it('handles any string', () => {
    fc.assert(fc.property(fc.string({ maxLength: 60 }), exercise), { numRuns: 2000 });
  });

  it('handles token soup, parsed or not', () => {
    fc.assert(fc.property(soup, exercise), { numRuns: 5000 });
  });

  it('parses every well-formed expression and evaluates it to a value or a located evaluation error', () => {
    let parsed = 0;
    fc.assert(
      fc.property(wellFormed, (text) => {
        const result = parseExpression(text);
        if ('error' in result) expect(result.error.message).toMatch(/takes \d( or \d)? arguments?|repeats a group/);
        else parsed++;
        exercise(text);
      }),
      { numRuns: 3000 },
    );
    expect(parsed).toBeGreaterThan(1500);
  });
});
