/**
 * Conformance with the original toolchain: every file of the original's
 * repository that declares lang "2.0" or "3.0" (vendored unchanged under
 * test/fixtures/original) validates, formats idempotently with the same IR and
 * lowers to a schema-valid IR — except the two the original rejects too, which
 * must fail for the same reason. Files that import others go through the
 * package loader, which resolves their imports.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compile, format } from '../../shared/lang/index.js';
import { validateIR } from '../../shared/ir/index.js';
import { loadPackage } from '../../local/package/load-package.js';

const root = join(import.meta.dirname, '..', 'fixtures', 'original');

/** `.ias` files under the vendored tree, relative to it. */
const files = readdirSync(root, { recursive: true, encoding: 'utf8' })
  .filter((name) => name.endsWith('.ias'))
  .map((name) => name.split('\\').join('/'))
  .sort();

/** The `init` templates of the original hold `{{.PackageName}}`, filled in by its generator. */
const read = (name: string) => readFileSync(join(root, name), 'utf8').replaceAll('{{.PackageName}}', 'demo');

/** Files the original rejects as well, with where and why we reject them. */
const REJECTED: Record<string, { line: number; words: string[] }> = {
  // The original's integration test expects a semantic error: the agent uses a skill that is not declared.
  'integration_tests/testdata/invalid_ref.ias': { line: 22, words: ['unknown skill', 'web-serch', 'did you mean', 'web-search'] },
  // The template writes `system "…"` in an agent; the original's parser has no such attribute either.
  'internal/templates/files/validated-agent/validated-agent.ias': { line: 9, words: ['unknown attribute', 'system'] },
};

/** Files whose `import "./…"` statements bring in resources they use: read through the package loader. */
const [MULTI_SKILLS, MULTI_ALIASED] = ['multi-file-agent/main.ias', 'validated-agent/support-agent.ias'].map((f) => `examples/${f}`) as [string, string];
const MULTI_FILE = [MULTI_SKILLS, MULTI_ALIASED];

const single = files.filter((f) => !(f in REJECTED) && !MULTI_FILE.includes(f));

describe('the original repository files', () => {
  it('finds the vendored files', () => {
    expect(files.length).toBeGreaterThanOrEqual(50);
    for (const f of [...Object.keys(REJECTED), ...MULTI_FILE]) expect(files).toContain(f);
    for (const f of files) expect(read(f)).toMatch(/lang "[23]\.0"/);
  });

  it.each(single)('%s validates and lowers to a schema-valid IR', (name) => {
    const { ir, diagnostics } = compile(read(name), { file: name });
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(ir).toBeDefined();
    expect(validateIR(ir).errors).toEqual([]);
    expect(ir!.package.lang).toBe(/lang "3\.0"/.test(read(name)) ? '3.0' : '2.0');
  });

  it.each(single)('%s formats idempotently and keeps its IR', (name) => {
    const source = read(name);
    const once = format(source, name);
    expect(format(once, name)).toBe(once);
    expect(compile(once, { file: name }).ir).toEqual(compile(source, { file: name }).ir);
  });

  it.each(MULTI_FILE)('%s formats idempotently', (name) => {
    const once = format(read(name), name);
    expect(format(once, name)).toBe(once);
  });

  it.each(Object.entries(REJECTED))('%s is rejected as the original rejects it', (name, want) => {
    const { ir, diagnostics } = compile(read(name), { file: name });
    expect(ir).toBeUndefined();
    const errors = diagnostics.filter((d) => d.severity === 'error');
    const match = errors.find((d) => d.line === want.line && want.words.every((w) => `${d.message} ${d.hint ?? ''}`.toLowerCase().includes(w)));
    expect(match, JSON.stringify(errors, null, 1)).toBeDefined();
    expect(errors).toHaveLength(1);
  });
});

describe('the original multi-file examples, through the package loader', () => {
  it(`${MULTI_SKILLS} takes its skills from the files it imports`, async () => {
    const { ir } = await loadPackage(join(root, MULTI_SKILLS));
    expect(validateIR(ir).errors).toEqual([]);
    const skills = ir.resources.filter((r) => r.kind === 'Skill').map((r) => r.name);
    expect(skills).toEqual(expect.arrayContaining(['web_search', 'format_response']));
    const agent = ir.resources.find((r) => r.kind === 'Agent' && r.name === 'assistant');
    expect(agent).toBeDefined();
  });

  it(`${MULTI_ALIASED} loads with its aliased import of the knowledge base`, async () => {
    const { ir } = await loadPackage(join(root, MULTI_ALIASED));
    expect(validateIR(ir).errors).toEqual([]);
    expect(ir.package.lang).toBe('3.0');
    const names = ir.resources.map((r) => r.name);
    expect(names).toEqual(expect.arrayContaining(['support-agent', 'escalation-agent', 'knowledge-search']));
    // The imported file's skill is part of the loaded package, under whatever name the alias gives it.
    expect(ir.resources.some((r) => r.kind === 'Skill' && r.name.endsWith('format-response'))).toBe(true);
  });
});
