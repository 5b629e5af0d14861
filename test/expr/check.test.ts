/** The static check: unknown variables with "did you mean", members of the input and output texts, and parts that fail on every request. */
import { describe, expect, it } from 'vitest';
import { checkExpression, ON_INPUT_VARIABLES, VALIDATE_VARIABLES } from '../../shared/expr/index.js';
import { parsed } from './tree.js';

const check = (text: string, variables: readonly string[] = VALIDATE_VARIABLES) => checkExpression(parsed(text), { variables });

describe('checkExpression', () => {
  it.each([
    ['output != ""', VALIDATE_VARIABLES],
    ['contains(lower(input.message), "billing")', ON_INPUT_VARIABLES],
    ['input.text == "x" and input == "x"', ON_INPUT_VARIABLES],
    ['steps.search.result != nil', ON_INPUT_VARIABLES],
    ['item.name == "a"', [...ON_INPUT_VARIABLES, 'item']],
    ['len(config.limit) > 1', VALIDATE_VARIABLES],
    ['"a" in ["a", "b"]', VALIDATE_VARIABLES],
  ])('passes %s', (text, variables) => {
    expect(check(text, variables)).toEqual([]);
  });

  it.each([
    // text, variables, message, offset, length, hint
    ['outpt != ""', VALIDATE_VARIABLES, 'Unknown variable "outpt"', 0, 5, 'did you mean "output"?'],
    ['output != "" and conifg.x', VALIDATE_VARIABLES, 'Unknown variable "conifg"', 17, 6, 'did you mean "config"?'],
    ['zzz == 1', VALIDATE_VARIABLES, 'Unknown variable "zzz"', 0, 3, 'the variables here are config, input, output, session'],
    ['output == "x"', ON_INPUT_VARIABLES, 'Unknown variable "output"', 0, 6, undefined],
    ['itm.name', [...ON_INPUT_VARIABLES, 'item'], 'Unknown variable "itm"', 0, 3, 'did you mean "item"?'],
    ['input.data_sources', ON_INPUT_VARIABLES, '"input" is the message text: it has no .data_sources', 0, 18, 'input.message'],
    ['output.sentiment != "negative"', VALIDATE_VARIABLES, '"output" is the answer text: it has no .sentiment', 0, 16, 'len(output)'],
    ['len(5) > 1 and input == ""', VALIDATE_VARIABLES, 'len takes a string, a list or a map, not a number', 0, 6, undefined],
    ['input == int("abc")', VALIDATE_VARIABLES, 'int cannot read this string as a number', 9, 10, undefined],
    ['output != "" or 1 < "a"', VALIDATE_VARIABLES, 'Cannot order a number and a string', 16, 7, undefined],
    ['lower(1)', VALIDATE_VARIABLES, 'lower takes a string', 0, 8, undefined],
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
