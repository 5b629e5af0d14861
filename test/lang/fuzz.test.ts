/** Property tests: no input makes the toolchain throw, and every diagnostic points inside the input. */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compile, format, type Diagnostic } from '../../shared/lang/index.js';
import { isAgentSpecError } from '../../shared/errors.js';

const dir = join(import.meta.dirname, '..', 'fixtures', 'corpus', 'valid');
const corpus = readdirSync(dir)
  .filter((f) => f.endsWith('.ias'))
  .map((f) => readFileSync(join(dir, f), 'utf8'));

function assertInside(source: string, diagnostics: Diagnostic[]): void {
  const lines = source.split('\n');
  for (const d of diagnostics) {
    expect(d.line).toBeGreaterThanOrEqual(1);
    expect(d.line).toBeLessThanOrEqual(lines.length);
    expect(d.column).toBeGreaterThanOrEqual(1);
    expect(d.column).toBeLessThanOrEqual(lines[d.line - 1]!.length + 1);
  }
}

function exercise(source: string): void {
  const { diagnostics } = compile(source, { file: 'fuzz.ias' });
  assertInside(source, diagnostics);
  try {
    format(source, 'fuzz.ias');
  } catch (error) {
    expect(isAgentSpecError(error, 'syntax_error')).toBe(true);
  }
}

const pieces = [
  ...['{', '}', '[', ']', '(', ')', ',', '"', '\\', '\n', ' ', '#', '//', 'agent', 'skill', 'tool', 'uses', '{{', '}}', '-1', '0.5', 'true', 'x'],
  // IntentLang 3.0: words that switch the parser into expressions and multi-line entries
  ...[
    'on input {',
    'if ',
    'else',
    'else if ',
    'for each x in ',
    'when ',
    'respond ',
    'with { a: ',
    ':',
    '==',
    '!=',
    'rule r error',
    'case c',
    'config {',
    'validate {',
    'eval {',
  ],
];

/** A corpus file with a few random edits: deletions, insertions of syntax pieces, duplicated slices. */
const mutated = fc
  .tuple(
    fc.constantFrom(...corpus),
    fc.array(fc.tuple(fc.nat(), fc.nat({ max: 40 }), fc.constantFrom(...pieces), fc.constantFrom('delete', 'insert', 'duplicate')), {
      minLength: 1,
      maxLength: 6,
    }),
  )
  .map(([source, edits]) => {
    let s = source;
    for (const [at, len, piece, op] of edits) {
      const i = at % (s.length + 1);
      if (op === 'delete') s = s.slice(0, i) + s.slice(i + len);
      else if (op === 'insert') s = s.slice(0, i) + piece + s.slice(i);
      else s = s.slice(0, i) + s.slice(i, i + len) + s.slice(i);
    }
    return s;
  });

/** For inputs that parse: formatting is idempotent and, when valid, keeps the IR. */
function formatStable(source: string): void {
  let once: string;
  try {
    once = format(source, 'fuzz.ias');
  } catch {
    return;
  }
  expect(format(once, 'fuzz.ias')).toBe(once);
  const before = compile(source, { file: 'fuzz.ias' });
  if (before.ir && source.trimStart().startsWith('package')) expect(compile(once, { file: 'fuzz.ias' }).ir).toEqual(before.ir);
}

describe('fuzz', () => {
  it('mutated corpus files that parse format idempotently and keep their IR', () => {
    fc.assert(fc.property(mutated, formatStable), { numRuns: 300 });
  });

  it('random strings never throw and diagnostics stay inside the input', () => {
    fc.assert(fc.property(fc.string({ maxLength: 200 }), exercise), { numRuns: 300 });
  });

  it('random token soup never throws', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...pieces, '"s"', 'package', 'model', 'lang'), { maxLength: 60 }).map((a) => a.join(' ')),
        exercise,
      ),
      { numRuns: 300 },
    );
  });

  it('mutated corpus files never throw and diagnostics stay inside the input', () => {
    fc.assert(fc.property(mutated, exercise), { numRuns: 300 });
  });
});
