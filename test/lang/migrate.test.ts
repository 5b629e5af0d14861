/** migrate --to-v2 / --to-v3: 1.0 sources become valid 2.0 sources, 2.0 sources valid 3.0 sources with the same IR. */
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { check, compile, migrateToV2 } from '../../shared/lang/index.js';
import { migrateToV3 } from '../../shared/lang/migrate.js';
import { findResource, validateIR } from '../../shared/ir/index.js';

const v1 = `package "legacy" version "0.4.0" lang "1.0"

# kept comment
prompt "system" {
  content "Hi"
}

skill "count" {
  description "Count words"
  input {
    text string required
  }
  execution command "wc -w --total=never"
}

agent "bot" {
  uses prompt "system"
  uses skill "count"
  model "claude-haiku-4-5"
}

binding "local" adapter "local-mcp" {
  port 9000
  default true
}

binding "k8s" adapter "kubernetes" {
  replicas 2
}
`;

describe('migrateToV2', () => {
  it('rewrites lang, execution command and bindings, and the result validates', () => {
    // Act
    const out = migrateToV2(v1, 'legacy.ias');
    // Assess
    expect(out).toContain('lang "2.0"');
    expect(out).toContain('tool command { binary "wc" args ["-w", "--total=never"] }');
    expect(out).toContain('deploy "local" target "process" {');
    expect(out).toContain('deploy "k8s" target "kubernetes" {');
    expect(out).toContain('# kept comment');
    expect(check(out, 'legacy.ias').filter((d) => d.severity === 'error')).toEqual([]);
    const ir = compile(out, { file: 'legacy.ias' }).ir!;
    expect(findResource(ir, 'Skill', 'count')!.attributes.tool).toMatchObject({ type: 'command', binary: 'wc', args: ['-w', '--total=never'] });
    expect(findResource(ir, 'Deploy', 'local')!.attributes).toMatchObject({ target: 'process', port: 9000, default: true });
  });

  it('maps docker-compose and docker adapters', () => {
    const out = migrateToV2('package "x" version "1.0.0" lang "1.0"\nbinding "a" adapter "docker-compose" {\n}\nbinding "b" adapter "docker" {\n}\n', 'x.ias');
    expect(out).toContain('deploy "a" target "docker-compose"');
    expect(out).toContain('deploy "b" target "docker"');
  });

  it('rejects an adapter with no 2.0 target, naming it', () => {
    expect(() => migrateToV2('package "x" version "1.0.0" lang "1.0"\nbinding "a" adapter "mainframe" {\n}\n', 'x.ias')).toThrow(/adapter "mainframe"/);
  });

  it('leaves a 2.0 file unchanged', () => {
    const src = 'package "x" version "1.0.0" lang "2.0"\n';
    expect(migrateToV2(src, 'x.ias')).toBe(src);
  });
});

describe('migrateToV3', () => {
  const corpusDir = join(import.meta.dirname, '..', 'fixtures', 'corpus', 'valid');
  const originalDir = join(import.meta.dirname, '..', 'fixtures', 'original');
  const v2Files = [
    ...readdirSync(corpusDir)
      .filter((f) => f.endsWith('.ias'))
      .map((f) => join(corpusDir, f)),
    ...readdirSync(originalDir, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.ias'))
      .map((f) => join(originalDir, f)),
  ]
    // the original's test input with a dangling reference is invalid in either version
    .filter((f) => !f.endsWith('invalid_ref.ias') && readFileSync(f, 'utf8').includes('lang "2.0"'))
    .map((f) => relative(join(import.meta.dirname, '..', 'fixtures'), f));
  /** The IR without what a language version may change: `package.lang`, `ir_version` and the hash over them. */
  const comparable = (source: string, file: string) => {
    const { ir } = compile(source, { file });
    expect(ir).toBeDefined();
    const { ir_version: _version, hash: _hash, package: pkgInfo, ...rest } = ir!;
    return { ...rest, package: { ...pkgInfo, lang: undefined } };
  };

  it('rewrites only the lang of the header, keeps comments and layout, and says what changed', () => {
    const src = '# header comment\npackage "x" version "1.0.0"   lang "2.0" # trailing\n\nprompt "p" {\n  content "lang \\"2.0\\""\n}\n';
    const { text, changes } = migrateToV3(src, 'x.ias');
    expect(text).toBe(src.replace('lang "2.0" #', 'lang "3.0" #'));
    expect(changes).toEqual(['x.ias:2: lang "2.0" → lang "3.0"']);
  });

  it('is idempotent: a 3.0 file is returned unchanged with no change listed', () => {
    const once = migrateToV3(v1.replace('"1.0"', '"2.0"').split('skill "count"')[0]!, 'x.ias').text;
    expect(migrateToV3(once, 'x.ias')).toEqual({ text: once, changes: [] });
  });

  it.each(v2Files)('%s: the migrated IR equals the 2.0 IR except package.lang and ir_version', (file) => {
    const source = readFileSync(join(import.meta.dirname, '..', 'fixtures', file), 'utf8');
    const { text } = migrateToV3(source, file);
    const before = compile(source, { file }).ir!;
    const after = compile(text, { file }).ir!;
    expect(after.package.lang).toBe('3.0');
    expect(after.ir_version).toBe('2');
    expect(validateIR(after).errors).toEqual([]);
    expect(comparable(text, file)).toEqual(comparable(source, file));
    expect(before.package.lang).toBe('2.0');
  });

  it('lists the 3.0 constructs a 2.0 file already used, and the migrated file has no language-version warning', () => {
    const src = [
      'package "x" version "1.0.0" lang "2.0"',
      'guardrail "g" {',
      '  mode "warn"',
      '  keywords ["password"]',
      '}',
      'agent "a" {',
      '  model "claude-sonnet-4-20250514"',
      '  uses guardrail "g"',
      '  on input {',
      '    if input == "hi" && len(input) < 5 {',
      '      respond "hello"',
      '    }',
      '  }',
      '}',
      '',
    ].join('\n');
    const warnings = check(src, 'x.ias');
    expect(warnings.filter((d) => d.code === 'lang').length).toBeGreaterThan(0);
    const { text, changes } = migrateToV3(src, 'x.ias', warnings);
    expect(changes[0]).toBe('x.ias:1: lang "2.0" → lang "3.0"');
    expect(changes.slice(1)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^x\.ias:2: .*guardrail.*now declared$/), expect.stringMatching(/^x\.ias:9: /)]),
    );
    expect(check(text, 'x.ias').filter((d) => d.code === 'lang' || d.severity === 'error')).toEqual([]);
  });

  it('asks for --to-v2 first on a 1.0 file, and refuses a version it cannot lift', () => {
    expect(() => migrateToV3(v1, 'legacy.ias')).toThrow(/legacy\.ias:1:\d+: this is an IntentLang 1\.0 file; run `agentspec migrate --to-v2/);
    expect(() => migrateToV3('package "x" version "1.0.0" lang "9.0"\n', 'x.ias')).toThrow(/lang "9\.0" cannot be migrated/);
    expect(() => migrateToV3('package "x" version "1.0.0"\n', 'x.ias')).toThrow(/no lang/);
  });
});
