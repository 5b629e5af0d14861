/**
 * Every expression the original project's 3.0 example packages and templates
 * write (`when`, `if`, `else if`, `respond`), plus the ones its language
 * guide shows, parses, passes the check in its place and evaluates as
 * expected on sample requests.
 */
import { describe, expect, it } from 'vitest';
import { checkExpression, evaluate, evaluateText, ON_INPUT_VARIABLES, VALIDATE_VARIABLES, type Environment } from '../../shared/expr/index.js';
import { parsed } from './tree.js';

const request = (input: string, output = ''): Environment => ({
  input,
  output,
  config: { greeting: 'Hello! How can I help?', max_response_length: 20 },
  session: {},
  steps: {},
});

/** expression, its place, [input, output, expected] samples */
const EXAMPLES: [string, readonly string[], [string, string, unknown][]][] = [
  // validate rules of the validated, compiled, ollama and k8s examples and the validated-agent template
  [
    'output != ""',
    VALIDATE_VARIABLES,
    [
      ['hi', 'an answer', true],
      ['hi', '', false],
    ],
  ],
  // on input of the control-flow, validated and router templates
  [
    'input == "urgent"',
    ON_INPUT_VARIABLES,
    [
      ['urgent', '', true],
      ['Urgent', '', false],
    ],
  ],
  [
    'input == "hello"',
    ON_INPUT_VARIABLES,
    [
      ['hello', '', true],
      ['hello there', '', false],
    ],
  ],
  ['input == "help"', ON_INPUT_VARIABLES, [['help', '', true]]],
  ['input == "billing"', ON_INPUT_VARIABLES, [['billing', '', true]]],
  ['input == "technical"', ON_INPUT_VARIABLES, [['technical', '', true]]],
  [
    'input == "sales"',
    ON_INPUT_VARIABLES,
    [
      ['sales', '', true],
      ['sales team', '', false],
    ],
  ],
  // the multi-agent router example, as its formatter writes the calls
  ...['billing', 'invoice', 'refund', 'bug', 'error', 'api'].map((word): [string, readonly string[], [string, string, unknown][]] => [
    `contains ( lower ( input.message ) , "${word}" )`,
    ON_INPUT_VARIABLES,
    [
      [`About my ${word.toUpperCase()} please`, '', true],
      ['Nothing to see', '', false],
    ],
  ]),
  // the validated-agent template
  [
    'contains(lower(input.message), "help")',
    ON_INPUT_VARIABLES,
    [
      ['Please HELP me', '', true],
      ['hi', '', false],
    ],
  ],
  // the language guide's examples
  [
    'input contains "urgent"',
    VALIDATE_VARIABLES,
    [
      ['this is urgent', '', true],
      ['later', '', false],
    ],
  ],
  [
    'len(input) > 100',
    ON_INPUT_VARIABLES,
    [
      ['x'.repeat(101), '', true],
      ['short', '', false],
    ],
  ],
  [
    'len(output) > 1000',
    VALIDATE_VARIABLES,
    [
      ['q', 'y'.repeat(1001), true],
      ['q', 'short', false],
    ],
  ],
  [
    'len(output) <= config.max_response_length',
    VALIDATE_VARIABLES,
    [
      ['q', 'short', true],
      ['q', 'far too long for the limit', false],
    ],
  ],
  [
    'not (output matches "\\\\b\\\\d{3}-\\\\d{2}-\\\\d{4}\\\\b")',
    VALIDATE_VARIABLES,
    [
      ['q', 'nothing personal here', true],
      ['q', 'my number is 123-45-6789 ok', false],
    ],
  ],
];

describe('the expressions of the original 3.0 examples', () => {
  for (const [text, variables, samples] of EXAMPLES) {
    it(text, () => {
      const expr = parsed(text);
      expect(checkExpression(expr, { variables })).toEqual([]);
      for (const [input, output, expected] of samples) expect(evaluate(expr, request(input, output)), `input ${JSON.stringify(input)}`).toBe(expected);
    });
  }

  it('respond config.greeting sends the configured greeting', () => {
    const expr = parsed('config.greeting');
    expect(checkExpression(expr, { variables: ON_INPUT_VARIABLES })).toEqual([]);
    expect(evaluateText(expr, request('help'))).toBe('Hello! How can I help?');
  });
});
