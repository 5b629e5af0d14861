/** The static check: unknown variables with "did you mean", members of the input and output texts, and parts that fail on every request. */
import { describe, expect, it } from 'vitest';
import { checkExpression } from '../../shared/expr/index.js';
import { parsed } from './tree.js';

const ON_INPUT = ['input', 'config', 'session', 'steps'];
const VALIDATE = ['input', 'output', 'config', 'session'];

const check = (text: string, variables: readonly string[] = VALIDATE) => checkExpression(parsed(text), { variables });

describe('checkExpression', () => {
  it.each([
    ['output != ""', VALIDATE],
    ['contains(lower(input.message), "billing")', ON_INPUT],
    ['input.text == "x" and input == "x"', ON_INPUT],
    ['steps.search.result != nil', ON_INPUT],
    ['item.name == "a"', [...ON_INPUT, 'item']],
    ['len(config.limit) > 1', VALIDATE],
    ['"a" in ["a", "b"]', VALIDATE],
  ])('passes %s', (text, variables) => {
    expect(check(text, variables)).toEqual([]);
  });

  it.each([
    // text, variables, message, offset, length, hint
    ['outpt != ""', VALIDATE, 'Unknown variable "outpt"', 0, 5, 'did you mean "output"?'],
    ['output != "" and conifg.x', VALIDATE, 'Unknown variable "conifg"', 17, 6, 'did you mean "config"?'],
    ['zzz == 1', VALIDATE, 'Unknown variable "zzz"', 0, 3, 'the variables here are config, input, output, session'],
    ['output == "x"', ON_INPUT, 'Unknown variable "output"', 0, 6, undefined],
    ['itm.name', [...ON_INPUT, 'item'], 'Unknown variable "itm"', 0, 3, 'did you mean "item"?'],
    ['input.data_sources', ON_INPUT, '"input" is the message text: it has no .data_sources', 0, 18, 'input.message'],
    ['output.sentiment != "negative"', VALIDATE, '"output" is the answer text: it has no .sentiment', 0, 16, 'len(output)'],
    ['len(5) > 1 and input == ""', VALIDATE, 'len takes a string, a list or a map, not a number', 0, 6, undefined],
    ['input == int("abc")', VALIDATE, 'int cannot read this string as a number', 9, 10, undefined],
    ['output != "" or 1 < "a"', VALIDATE, 'Cannot order a number and a string', 16, 7, undefined],
    ['lower(1)', VALIDATE, 'lower takes a string', 0, 8, undefined],
  ])('reports %s', (text, variables, message, offset, length, hint) => {
    const errors = check(text, variables);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toContain(message);
    expect({ offset: errors[0]!.offset, length: errors[0]!.length }).toEqual({ offset, length });
    if (hint !== undefined) expect(errors[0]!.hint).toContain(hint);
  });

  it('reports every problem, in text order', () => {
    const errors = check('a == b and len(true) > 0');
    expect(errors.map((e) => [e.message, e.offset])).toEqual([
      ['Unknown variable "a".', 0],
      ['Unknown variable "b".', 5],
      ['len takes a string, a list or a map, not a boolean.', 11],
    ]);
  });

  it('does not treat a variable named like an input member as the input', () => {
    expect(check('message == "x"', ['message'])).toEqual([]);
  });
});
