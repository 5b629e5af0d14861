/** The conformance corpus, run per its manifest. */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compile, format } from '../../shared/lang/index.js';
import { validateIR } from '../../shared/ir/index.js';

const root = join(import.meta.dirname, '..', 'fixtures', 'corpus');
const manifest = JSON.parse(readFileSync(join(root, 'manifest.json'), 'utf8')) as {
  invalid: Record<string, { lines: [number, number]; words: string[] }>;
};
const read = (dir: string, name: string) => readFileSync(join(root, dir, name), 'utf8');

describe('valid corpus', () => {
  const files = readdirSync(join(root, 'valid')).filter((f) => f.endsWith('.ias'));
  it('has files', () => expect(files.length).toBeGreaterThanOrEqual(12));

  it.each(files)('%s validates, lowers to schema-valid IR and formats idempotently with the same IR', (name) => {
    // Prepare
    const source = read('valid', name);
    // Act
    const { ir, diagnostics } = compile(source, { file: name });
    const once = format(source, name);
    const twice = format(once, name);
    const reformatted = compile(once, { file: name });
    // Assess
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(ir).toBeDefined();
    expect(validateIR(ir).errors).toEqual([]);
    expect(twice).toBe(once);
    expect(reformatted.ir).toEqual(ir);
  });
});

describe('invalid corpus', () => {
  it('lists every invalid file', () => {
    const files = readdirSync(join(root, 'invalid')).filter((f) => f.endsWith('.ias'));
    expect(Object.keys(manifest.invalid).sort()).toEqual(files.sort());
  });

  it.each(Object.entries(manifest.invalid))('%s fails with the expected located diagnostic', (name, expected) => {
    const { ir, diagnostics } = compile(read('invalid', name), { file: name });
    expect(ir).toBeUndefined();
    const [from, to] = expected.lines;
    const match = diagnostics.find((d) => {
      const text = `${d.message} ${d.hint ?? ''}`.toLowerCase();
      return d.severity === 'error' && d.line >= from && d.line <= to && expected.words.every((w) => text.includes(w.toLowerCase()));
    });
    expect(match, JSON.stringify(diagnostics, null, 1)).toBeDefined();
  });
});
