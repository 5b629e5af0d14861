/** The evaluator: every operator and function over sample values, nil handling, and each run-time type error with its location. */
import { describe, expect, it } from 'vitest';
import { evaluate, evaluateText, ExprEvalError, truthy, type Environment } from '../../shared/expr/index.js';
import { isAgentSpecError } from '../../shared/errors.js';
import { parsed } from './tree.js';

const ENV: Environment = {
  input: 'Hello World',
  output: 'The answer',
  config: { greeting: 'Hi!', limit: 10, debug: false, tags: ['a', 'b'] },
  session: {},
  steps: { 'knowledge-search': { result: 'found', hits: 3 } },
};

const run = (text: string, env: Environment = ENV): unknown => evaluate(parsed(text), env);

function evalError(text: string, env: Environment = ENV): ExprEvalError {
  try {
    run(text, env);
  } catch (err) {
    if (err instanceof ExprEvalError) return err;
    throw err;
  }
  return expect.fail(`${text} evaluated without an error`);
}

describe('operators', () => {
  it.each([
    // ==, !=: structural, no type errors
    ['input == "Hello World"', true],
    ['input == "hello world"', false],
    ['output != ""', true],
    ['1 == 1.0', true],
    ['"1" == 1', false],
    ['nil == nil', true],
    ['config.missing == nil', true],
    ['config.missing == ""', false],
    ['config.missing != "x"', true],
    ['[1, [2, "x"]] == [1, [2, "x"]]', true],
    ['[1, 2] == [2, 1]', false],
    ['config.tags == ["a", "b"]', true],
    ['config == config', true],
    ['session == config', false],
    ['true == 1', false],
    // ordering: numbers, strings by code point, nil is false
    ['1 < 2', true],
    ['2 <= 2', true],
    ['3 > 2', true],
    ['2 >= 3', false],
    ['config.limit >= 10', true],
    ['"a" < "b"', true],
    ['"B" < "a"', true],
    ['"～" < "😀"', true],
    ['"ab" < "abc"', true],
    ['"abc" < "ab"', false],
    ['"😀a" > "😀"', true],
    ['"a" <= "a"', true],
    ['config.missing < 1', false],
    ['config.missing >= 1', false],
    ['config.missing > "a"', false],
    ['"a" <= nil', false],
    // in: list element, map key (own keys only), substring
    ['"b" in config.tags', true],
    ['"c" in config.tags', false],
    ['nil in [1, nil]', true],
    ['[1] in [[1], [2]]', true],
    ['"greeting" in config', true],
    ['"constructor" in config', false],
    ['1 in config', false],
    ['"World" in input', true],
    ['"x" in config.missing', false],
    ['config.missing in input', false],
    // contains is in, reversed
    ['input contains "World"', true],
    ['input contains "world"', false],
    ['config.tags contains "a"', true],
    ['config contains "limit"', true],
    ['config.missing contains "a"', false],
    ['input contains config.missing', false],
    // startsWith / endsWith
    ['input startsWith "Hello"', true],
    ['input startsWith "World"', false],
    ['input endsWith "World"', true],
    ['config.missing startsWith "a"', false],
    ['input endsWith config.missing', false],
    // matches: unanchored search, Go-style leading flags, backslash escapes kept
    ['input matches "^H.*d$"', true],
    ['input matches "o W"', true],
    ['input matches "hello"', false],
    ['input matches "(?i)hello"', true],
    ['"a\\nb" matches "a.b"', false],
    ['"a\\nb" matches "(?s)a.b"', true],
    ['"one\\ntwo" matches "(?m)^two$"', true],
    ['"2024" matches "^\\d+$"', true],
    ['"ab" matches "^\\\\d"', false],
    ['"x" matches config.missing', false],
    ['config.missing matches "x"', false],
    // negated word operators
    ['input not contains "x"', true],
    ['"z" not in config.tags', true],
    ['"a" not in config.tags', false],
    ['input not startsWith "W"', true],
    ['input not endsWith "d"', false],
    ['output not matches "\\d"', true],
    ['config.missing not in config.tags', true],
    // and / or / not: truthiness, boolean results, short-circuit
    ['true and false', false],
    ['true or false', true],
    ['true && true', true],
    ['false || false', false],
    ['input and output', true],
    ['"" or 0', false],
    ['not ""', true],
    ['!config.debug', true],
    ['not config.missing', true],
    ['false and len(5) > 1', false],
    ['true or len(5) > 1', true],
  ])('%s is %j', (text, expected) => {
    expect(run(text)).toBe(expected);
  });
});

describe('values: literals, variables, members and indexes', () => {
  it.each([
    ['"line\\nnext"', 'line\nnext'],
    ['-3', -3],
    ['4.5', 4.5],
    ['nil', null],
    ['[1, "a", nil, true]', [1, 'a', null, true]],
    ['[]', []],
    ['input', 'Hello World'],
    ['input.message', 'Hello World'],
    ['input.text', 'Hello World'],
    ['session', {}],
    ['config.greeting', 'Hi!'],
    ['steps.knowledge-search.result', 'found'],
    ['steps.knowledge-search.hits', 3],
    ['steps["knowledge-search"].result', 'found'],
    ['config.missing', null],
    ['config.missing.deeper.still', null],
    ['session.user', null],
    ['config.constructor', null],
    ['config.__proto__', null],
    ['config.hasOwnProperty', null],
    ['config["toString"]', null],
    ['config.tags[0]', 'a'],
    ['config.tags[-1]', 'b'],
    ['config.tags[5]', null],
    ['config.tags[-5]', null],
    ['config["greeting"]', 'Hi!'],
    ['config.missing[0]', null],
    ['[[1, 2], [3]][0][1]', 2],
  ])('%s', (text, expected) => {
    expect(run(text)).toEqual(expected);
  });

  it('reads undefined as nil', () => {
    expect(run('x == nil', { x: undefined })).toBe(true);
    expect(run('m.k', { m: { k: undefined } })).toBeNull();
  });

  it('counts a lone surrogate of a value as one character, as a pair as one', () => {
    expect(run('len(x)', { x: 'a\ud83db' })).toBe(3);
    expect(run('len(x)', { x: '😀\ud83d' })).toBe(2);
  });

  it('reads loop variables from the environment like any other', () => {
    expect(run('item.name == "a" and item.tags contains "t"', { item: { name: 'a', tags: ['t'] } })).toBe(true);
  });
});

describe('functions', () => {
  it.each([
    ['len("héllo")', 5],
    ['len("😀")', 1],
    ['len("")', 0],
    ['len(config.tags)', 2],
    ['len(config)', 4],
    ['len(session)', 0],
    ['len(config.missing)', 0],
    ['lower("ÀbC")', 'àbc'],
    ['upper("àbc")', 'ÀBC'],
    ['trim("  a b \\n")', 'a b'],
    ['lower(config.missing)', null],
    ['upper(nil)', null],
    ['trim(nil)', null],
    ['contains(input, "World")', true],
    ['contains(config.tags, "b")', true],
    ['contains(nil, "b")', false],
    ['startsWith(input, "He")', true],
    ['endsWith(input, "He")', false],
    ['matches(input, "W.r")', true],
    ['matches(input, "^W")', false],
    ['split("a,b,,c", ",")', ['a', 'b', '', 'c']],
    ['split("a😀b", "")', ['a', '😀', 'b']],
    ['split(nil, ",")', []],
    ['join(["a", 1, true, nil], "-")', 'a-1-true-'],
    ['join(config.tags)', 'ab'],
    ['join(nil, ",")', ''],
    ['join(split("a b c", " "), "+")', 'a+b+c'],
    ['string("s")', 's'],
    ['string(1.5)', '1.5'],
    ['string(10)', '10'],
    ['string(true)', 'true'],
    ['string(nil)', ''],
    ['string([1, "a", nil])', '[1,"a",null]'],
    ['string(config.tags)', '["a","b"]'],
    ['int("42")', 42],
    ['int(" -7 ")', -7],
    ['int("+3")', 3],
    ['int(3.9)', 3],
    ['int(-3.9)', -3],
    ['float("4.5")', 4.5],
    ['float("1e3")', 1000],
    ['float(".5")', 0.5],
    ['float(2)', 2],
    ['contains(lower(input.message), "world")', true],
  ])('%s', (text, expected) => {
    expect(run(text)).toEqual(expected);
  });
});

describe('evaluation errors, located at the failing part', () => {
  it.each([
    // text, message, offset, length, hint
    ['len(5)', 'len takes a string, a list or a map, not a number', 0, 6, undefined],
    ['x == 1 or len(true) > 0', 'not a boolean', 10, 9, undefined],
    ['lower(5)', 'lower takes a string, not a number', 0, 8, undefined],
    ['trim(config.tags)', 'trim takes a string, not a list', 0, 17, undefined],
    ['split(input, 1)', 'split takes a string, not a number', 0, 15, undefined],
    ['join("a", ",")', 'join takes a list, not a string', 0, 14, undefined],
    ['join(config.tags, 1)', 'join takes a string, not a number', 0, 20, undefined],
    ['int("4.5")', 'int cannot read this string as a number', 0, 10, 'whole numbers'],
    ['int("abc")', 'int cannot read this string as a number', 0, 10, undefined],
    ['int(nil)', 'int takes a number or a string, not nil', 0, 8, undefined],
    ['int(true)', 'int takes a number or a string, not a boolean', 0, 9, undefined],
    ['float("1,5")', 'float cannot read this string as a number', 0, 12, 'such as 4.2'],
    ['1 < "a"', 'Cannot order a number and a string with <', 0, 7, 'both sides'],
    ['true >= false', 'Cannot order a boolean and a boolean', 0, 13, undefined],
    ['config.tags > 1', 'Cannot order a list and a number', 0, 15, undefined],
    ['1 in "abc"', 'Cannot look for a number inside a string', 0, 10, undefined],
    ['"a" in 5', 'Cannot look inside a number', 0, 8, 'list, a map or a string'],
    ['5 contains "a"', 'Cannot look inside a number', 0, 14, undefined],
    ['1 startsWith "a"', 'startsWith takes two strings, not a number and a string', 0, 16, undefined],
    ['input matches 1', 'matches takes two strings', 0, 15, undefined],
    ['input.foo', 'Cannot read .foo of a string', 0, 9, undefined],
    ['output.message', 'Cannot read .message of a string', 0, 14, undefined],
    ['config.tags.length', 'Cannot read .length of a list', 0, 18, 'len(list)'],
    ['config.limit.x', 'Cannot read .x of a number', 0, 14, undefined],
    ['config.tags["a"]', 'A list is indexed by a whole number, not a string', 0, 16, undefined],
    ['config.tags[0.5]', 'A list is indexed by a whole number, not a number', 0, 16, undefined],
    ['config[0]', 'A map is indexed by a string, not a number', 0, 9, undefined],
    ['input[0]', 'Cannot index a string', 0, 8, 'lists and maps'],
    ['x == nope', 'Unknown variable "nope"', 5, 4, undefined],
  ] as [string, string, number, number, string | undefined][])('%s', (text, message, offset, length, hint) => {
    const err = evalError(text, { ...ENV, x: 0 });
    expect(err.message).toContain(message);
    expect({ offset: err.offset, length: err.length }).toEqual({ offset, length });
    if (hint !== undefined) expect(err.hint).toContain(hint);
  });

  it('is an AgentSpecError carrying the location in its details', () => {
    const err = evalError('len(5)');
    expect(isAgentSpecError(err)).toBe(true);
    expect(err.details).toMatchObject({ offset: 0, length: 6 });
  });

  it('refuses a regular expression that comes from a value when it is invalid or risky', () => {
    expect(evalError('input matches config.re', { ...ENV, config: { re: '(' } }).message).toContain('Invalid regular expression');
    expect(evalError('input matches config.re', { ...ENV, config: { re: '(a*)*b' } }).message).toContain('repeats a group that itself repeats');
  });

  it('names types, never the values it read (config holds secrets)', () => {
    const secret = 'do-not-print-this-value';
    const env = { ...ENV, config: { key: secret, n: 1 } };
    for (const text of [
      'int(config.key)',
      'config.key < 1',
      'config.key.x',
      'config.key[0]',
      'len(config.n)',
      'config.n in config.key',
      'input matches config.key',
    ]) {
      const err = (() => {
        try {
          run(text, { ...env, config: text.endsWith('matches config.key') ? { key: `(${secret}` } : env.config });
        } catch (e) {
          return e as ExprEvalError;
        }
        return expect.fail(`${text} evaluated`);
      })();
      expect(JSON.stringify({ message: err.message, hint: err.hint, details: err.details })).not.toContain(secret);
    }
  });

  it('stops at nesting it cannot compare or print instead of overflowing the stack', () => {
    type Node = { next?: Node };
    const loop: Node = {};
    loop.next = loop;
    const other: Node = {};
    other.next = other;
    expect(evalError('a == b', { a: loop, b: other }).message).toContain('nested more than 64 levels');
    expect(evalError('string(a)', { a: loop }).message).toContain('nested more than 64 levels');
  });
});

describe('truthy', () => {
  it.each([
    [null, false],
    [undefined, false],
    [false, false],
    [true, true],
    [0, false],
    [Number.NaN, false],
    [-1, true],
    ['', false],
    ['false', true],
    [[], false],
    [[0], true],
    [{}, false],
    [{ a: 1 }, true],
  ])('%j is %j', (value, expected) => {
    expect(truthy(value)).toBe(expected);
  });
});

describe('evaluateText: what respond <expression> sends', () => {
  it.each([
    ['config.greeting', 'Hi!'],
    ['config.limit', '10'],
    ['config.debug', 'false'],
    ['config.tags', '["a","b"]'],
    ['config.missing', ''],
    ['steps.knowledge-search', '{"result":"found","hits":3}'],
  ])('%s', (text, expected) => {
    expect(evaluateText(parsed(text), ENV)).toBe(expected);
  });

  it('fails with a located error on a value that has no text', () => {
    let caught: unknown;
    try {
      evaluateText(parsed('f'), { f: () => 1 });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ExprEvalError);
    expect(caught).toMatchObject({ offset: 0, length: 1 });
  });
});
