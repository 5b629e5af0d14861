/** The INPUT_<FIELD> variables of inline bash: names, which fields become variables, and which stay on stdin only. */
import { describe, expect, it } from 'vitest';
import { inputVariableName, inputVariables, MAX_INPUT_VARIABLE_BYTES } from '../../shared/tools/input-variables.js';

describe('inputVariableName', () => {
  it('upper-cases the field and turns every character outside A-Z, a-z and 0-9 into _', () => {
    expect(['path', 'max-depth', 'a.b c', 'größe', 'x1'].map(inputVariableName)).toEqual([
      'INPUT_PATH',
      'INPUT_MAX_DEPTH',
      'INPUT_A_B_C',
      'INPUT_GR__E',
      'INPUT_X1',
    ]);
  });
});

describe('inputVariables', () => {
  it('gives strings, numbers and booleans as text, and leaves out nested values and null', () => {
    const vars = inputVariables({ path: '/usr', depth: 2, ratio: 0.5, all: false, nested: { a: 1 }, list: [1], none: null });
    expect(vars).toEqual({ INPUT_PATH: '/usr', INPUT_DEPTH: '2', INPUT_RATIO: '0.5', INPUT_ALL: 'false' });
  });

  it('gives nothing for an input that is not an object', () => {
    expect([inputVariables('text'), inputVariables([1, 2]), inputVariables(null), inputVariables(undefined)]).toEqual([{}, {}, {}, {}]);
  });

  it('keeps the first of two fields that map to one name', () => {
    expect(inputVariables({ 'a-b': 'first', a_b: 'second' })).toEqual({ INPUT_A_B: 'first' });
  });

  it('leaves values with a NUL character or above the size cap on stdin only', () => {
    const vars = inputVariables({ nul: 'a\0b', big: 'x'.repeat(MAX_INPUT_VARIABLE_BYTES + 1), fits: 'x'.repeat(MAX_INPUT_VARIABLE_BYTES) });
    expect(Object.keys(vars)).toEqual(['INPUT_FITS']);
  });
});
