/** The syntax tree's row storage and the views the toolchain reads it through. */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { IntRows } from '../../shared/lang/int-rows.js';
import { compile, parse } from '../../shared/lang/index.js';
import { generatePackage } from '../helpers/generated-package.js';

describe('IntRows', () => {
  it('keeps every integer when pushes and allocations outgrow the first array', () => {
    // Prepare
    const rows = new IntRows(4);
    // Act
    for (let i = 0; i < 100; i++) rows.push(i * 7 - 50);
    const at = rows.alloc(300);
    rows.data[at + 299] = 42;
    // Assess
    expect(at).toBe(100);
    expect(rows.length).toBe(400);
    expect(Array.from(rows.data.subarray(0, 100))).toEqual(Array.from({ length: 100 }, (_, i) => i * 7 - 50));
    expect(rows.data[399]).toBe(42);
  });

  it('hands a released array to the next rows that fit in it, and is empty after release', () => {
    // Prepare
    const first = new IntRows(777_777);
    const array = first.data;
    // Act
    first.release();
    const next = new IntRows(777_000);
    // Assess
    expect(first.length).toBe(0);
    expect(first.data.length).toBe(0);
    expect(next.data).toBe(array);
  });
});

describe('compile reusing released storage', () => {
  it('gives the same IR and diagnostics as on fresh storage, whatever was compiled before', () => {
    // Prepare
    const big = generatePackage(5_000);
    const small = readFileSync(join(import.meta.dirname, '..', 'fixtures', 'corpus', 'valid', '02-all-tools.ias'), 'utf8');
    const broken = small.replace('model "', 'model 12 "').replace('}', '} }');
    // Act
    const runs = [big, small, broken, big, broken, small].map((source) => compile(source, { file: 'x.ias' }));
    // Assess
    expect(runs[0]!.ir).toBeDefined();
    expect(runs[1]!.ir).toBeDefined();
    expect(runs[2]!.diagnostics.length).toBeGreaterThan(0);
    expect(runs[3]).toEqual(runs[0]);
    expect(runs[4]).toEqual(runs[2]);
    expect(runs[5]).toEqual(runs[1]);
  });

  it('refuses to read a tree after its storage was released', () => {
    // Prepare
    const parsed = parse('package "p" version "1.0.0" lang "2.0"\nagent "a" { model "m" }\n', 'x.ias');
    const agent = parsed.file.entries[1]!;
    // Act
    parsed.release();
    // Assess
    expect(() => agent.key).toThrow(/after its compile released it/);
    expect(() => agent.body).toThrow(/after its compile released it/);
  });
});

describe('the parsed tree', () => {
  it('reads back a file denser than the first allocation assumes (every store array grows)', () => {
    // Prepare: 3-character entries, 2-character lines and long lists make
    // more entries, values, list items and lines than the source length sizes for.
    const lines = ['package "p" version "1.0.0" lang "2.0"', 'agent "a" {'];
    for (let i = 0; i < 2000; i++) lines.push(`x${i % 10} ${i}`, '');
    lines.push(`tags [${Array.from({ length: 3000 }, (_, i) => i).join(',')}]`, '}');
    const source = lines.join('\n');
    // Act
    const { file, diagnostics } = parse(source, 'dense.ias');
    const body = file.entries[1]!.body!;
    const last = body.entries[1999]!;
    const tags = body.entries[2000]!;
    // Assess
    expect(diagnostics).toEqual([]);
    expect(body.entries).toHaveLength(2001);
    expect(last.key).toBe('x9');
    expect(last.args[0]).toMatchObject({ type: 'number', value: 1999, raw: '1999' });
    expect(last.range.start).toEqual({ line: 2 + 2 * 1999 + 1, column: 1, offset: source.indexOf('x9 1999') });
    const items = tags.args[0]?.type === 'list' ? tags.args[0].items : [];
    expect(items.map((v) => (v.type === 'number' ? v.value : undefined))).toEqual(Array.from({ length: 3000 }, (_, i) => i));
    expect(tags.range.end.line).toBe(lines.length - 1);
  });

  it('gives values, quoted keys, calls and comments back as written', () => {
    // Prepare
    const source = [
      'package "p" version "1.0.0" lang "2.0"',
      '# about the secret',
      'secret "k" { env(API_KEY) } # trailing',
      'server "s" {',
      '  transport "stdio"',
      '  command "node"',
      '  env { "X-Esc" "a\\"b" flag true name ident }',
      '  # closing',
      '}',
    ].join('\n');
    // Act
    const { file, diagnostics } = parse(source, 'x.ias');
    const [, secret, server] = file.entries;
    const env = server!.body!.entries[2]!.body!.entries;
    // Assess
    expect(diagnostics).toEqual([]);
    expect(secret!.leading.map((c) => c.value)).toEqual(['# about the secret']);
    expect(secret!.trailing?.value).toBe('# trailing');
    expect(secret!.body!.entries[0]!.call).toMatchObject({ type: 'ident', value: 'API_KEY' });
    expect(env[0]).toMatchObject({ key: 'X-Esc', keyQuoted: true });
    expect(env[0]!.keyRange.end.column - env[0]!.keyRange.start.column).toBe('"X-Esc"'.length);
    expect(env[0]!.args[0]).toMatchObject({ type: 'string', value: 'a"b', raw: 'a\\"b' });
    expect(env[1]!.args[0]).toMatchObject({ type: 'bool', value: true });
    expect(env[2]!.args[0]).toMatchObject({ type: 'ident', value: 'ident' });
    expect(server!.body!.closing.map((c) => c.value)).toEqual(['# closing']);
  });
});
