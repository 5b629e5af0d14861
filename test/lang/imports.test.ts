/** Multi-file packages: each import rule and error of `compilePackage`, on the fixtures under test/fixtures/imports and in-memory files. */
import { mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync, mkdirSync } from 'node:fs';
import { readFile, realpath } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compile, type Diagnostic } from '../../shared/lang/index.js';
import { compilePackage, type PackageCompileOptions, type PackageHost } from '../../shared/lang/compile-package.js';
import { validateIR } from '../../shared/ir/index.js';
import { findResource, type IRDocument } from '../../shared/ir/types.js';
import { loadPackage } from '../../local/package/load-package.js';

const fixtures = join(import.meta.dirname, '..', 'fixtures', 'imports');
const disk: PackageHost = { readFile: (p) => readFile(p, 'utf8'), realPath: (p) => realpath(p) };

/** Compiles a fixture package by its path under test/fixtures/imports. */
function fixture(path: string, options: PackageCompileOptions = {}) {
  return compilePackage(join(fixtures, path), disk, options);
}

/** An in-memory host over `files`, counting reads per path. */
function memory(files: Record<string, string>): PackageHost & { reads: Map<string, number> } {
  const reads = new Map<string, number>();
  return {
    reads,
    readFile: (path) => {
      reads.set(path, (reads.get(path) ?? 0) + 1);
      const text = files[path];
      if (text === undefined) throw new Error(`${path}: no such file.`);
      return text;
    },
  };
}

const errors = (list: Diagnostic[]) => list.filter((d) => d.severity === 'error');
const located = (d: Diagnostic) => `${d.file.slice(fixtures.length + 1)}:${d.line}:${d.column}`;
const HEADER = (name: string, lang = '3.0') => `package "${name}" version "1.0.0" lang "${lang}"\n`;
const SKILL = (name: string) => `skill "${name}" {\n  description "d"\n  input {\n    text string required\n  }\n  tool command {\n    binary "echo"\n  }\n}\n`;

describe('aliased and unaliased imports', () => {
  it('merges one schema-valid IR: unaliased names as they are, aliased ones qualified, nested aliases added up, every fqn in the entry package', async () => {
    const { ir, diagnostics } = await fixture('aliased/main.ias');
    expect(errors(diagnostics)).toEqual([]);
    expect(validateIR(ir).errors).toEqual([]);
    const doc = ir!;
    expect(doc.ir_version).toBe('2');
    expect(doc.package).toEqual({ name: 'aliased', version: '1.0.0', lang: '3.0' });
    const names = doc.resources.map((r) => `${r.kind}/${r.name}`);
    expect(names).toEqual(
      expect.arrayContaining([
        'Skill/web_search',
        'Skill/kb.lookup',
        'Agent/kb.helper',
        'Prompt/kb.context',
        'Secret/kb.token',
        'Type/kb.Address',
        'Skill/kb.util.shout',
      ]),
    );
    for (const r of doc.resources) expect(r.fqn).toBe(`aliased/${r.kind}/${r.name}`);
  });

  it('qualifies the references inside imported resources and keeps the entry file’s as written', async () => {
    const doc = (await fixture('aliased/main.ias')).ir!;
    const assistant = findResource(doc, 'Agent', 'assistant')!.attributes;
    expect(assistant.skills).toEqual(['web_search', 'kb.lookup', 'kb.util.shout', 'locate']);
    expect(assistant.on_input).toEqual([{ kind: 'use_skill', skill: 'kb.lookup' }]);
    expect(findResource(doc, 'Pipeline', 'flow')!.attributes.steps[0]!.agent).toBe('kb.helper');
    const helper = findResource(doc, 'Agent', 'kb.helper')!.attributes;
    expect(helper.prompt).toBe('kb.context');
    expect(helper.skills).toEqual(['kb.lookup', 'kb.util.shout']);
    const lookup = findResource(doc, 'Skill', 'kb.lookup')!.attributes.tool;
    expect(lookup.type === 'http' && lookup.headers.Authorization).toBe('Bearer {{secret.kb.token}}');
  });

  it('resolves an imported type’s own type references in the importer (kb.Address → its Geo)', async () => {
    const locate = findResource((await fixture('aliased/main.ias')).ir!, 'Skill', 'locate')!.attributes;
    const where = (locate.input_schema as { properties: Record<string, { properties: Record<string, unknown> }> }).properties.where!;
    expect(where.properties.geo).toEqual({ type: 'object', properties: { lat: { type: 'number' }, lon: { type: 'number' } }, required: ['lat', 'lon'] });
  });

  it('records one Import resource per imported file with its source and alias', async () => {
    const doc = (await fixture('aliased/main.ias')).ir!;
    expect(findResource(doc, 'Import', './lib/kb.ias')!.attributes).toEqual({ source: './lib/kb.ias', alias: 'kb' });
    expect(findResource(doc, 'Import', './lib/search.ias')!.attributes).toEqual({ source: './lib/search.ias' });
    expect(findResource(doc, 'Import', './lib/util.ias')!.attributes).toEqual({ source: './util.ias', alias: 'util' });
  });

  it('rejects the unqualified name of an aliased import, pointing at the qualified one', async () => {
    const host = memory({
      'main.ias': `${HEADER('m')}import "./kb.ias" as kb\nagent "a" {\n  uses skill "lookup"\n  model "claude-sonnet-4-20250514"\n}\n`,
      'kb.ias': `${HEADER('kb')}${SKILL('lookup')}`,
    });
    const { ir, diagnostics } = await compilePackage('main.ias', host);
    expect(ir).toBeUndefined();
    expect(errors(diagnostics)).toMatchObject([
      { file: 'main.ias', line: 4, message: 'Unknown skill "lookup" referenced by agent "a".', hint: 'it is imported under an alias: write "kb.lookup"' },
    ]);
  });

  it('does not let an imported file see the importer’s names', async () => {
    const host = memory({
      'main.ias': `${HEADER('m')}import "./lib.ias"\n${SKILL('local')}`,
      'lib.ias': `${HEADER('lib')}agent "a" {\n  uses skill "local"\n  model "claude-sonnet-4-20250514"\n}\n`,
    });
    const { diagnostics } = await compilePackage('main.ias', host);
    expect(errors(diagnostics)).toMatchObject([{ file: 'lib.ias', line: 3, message: expect.stringContaining('Unknown skill "local"') }]);
  });
});

describe('import errors, each located at the import', () => {
  it('reports a cycle with its chain at the import that closes it', async () => {
    const { ir, diagnostics } = await fixture('cycle/a.ias');
    expect(ir).toBeUndefined();
    const [cycle, ...rest] = errors(diagnostics);
    expect(rest).toEqual([]);
    expect(located(cycle!)).toBe('cycle/c.ias:3:8');
    const short = cycle!.message.replaceAll(`${fixtures}/`, '');
    expect(short).toContain('Import cycle: cycle/a.ias → cycle/b.ias → cycle/c.ias → cycle/a.ias.');
    expect(short).toContain('(imported via cycle/a.ias:3:1 → cycle/b.ias:3:1)');
  });

  it('reports a missing file', async () => {
    const [missing] = errors((await fixture('missing/main.ias')).diagnostics);
    expect(located(missing!)).toBe('missing/main.ias:3:8');
    expect(missing!.message).toMatch(/^Cannot import "\.\/skills\/nowhere\.ias": .*nowhere\.ias does not exist\.$/);
  });

  it('parses remote imports and refuses to fetch them in a 3.0 file, saying to vendor the file', async () => {
    const { diagnostics } = await fixture('remote/main.ias');
    const found = errors(diagnostics);
    expect(found.map(located)).toEqual(['remote/main.ias:3:8', 'remote/main.ias:4:8']);
    expect(found[0]!.message).toBe('Import "github.com/acme/skills" names a remote package; fetching packages is not supported.');
    // `import "<name>" version "<v>"` without an alias is the 2.0 dependency record, in a 3.0 file too.
    expect(diagnostics.find((d) => d.line === 5)).toMatchObject({ severity: 'warning', message: expect.stringContaining('not fetched') });
    expect(found[1]!.message).toContain('"https://example.com/skills.ias"');
    expect(found[0]!.hint).toContain('vendor the file into the package folder and import it by relative path');
  });

  it('keeps a 2.0 file’s `import "name" version "x"` valid: a recorded dependency, with a warning that it is not fetched', async () => {
    const { ir, diagnostics } = await fixture('remote-v2/main.ias');
    expect(validateIR(ir).errors).toEqual([]);
    expect(diagnostics).toMatchObject([{ severity: 'warning', line: 3, message: expect.stringContaining('not fetched') }]);
    expect(findResource(ir!, 'Import', 'github.com/acme/skills')!.attributes).toEqual({ source: 'github.com/acme/skills', version: '1.2.0' });
    expect(ir!.ir_version).toBe('1');
  });

  it('keeps every valid corpus file that imports loadable as a package', async () => {
    const { ir, diagnostics } = await compilePackage(join(import.meta.dirname, '..', 'fixtures', 'corpus', 'valid', '18-v3-imports.ias'), disk);
    expect(errors(diagnostics)).toEqual([]);
    expect(ir!.resources.map((r) => `${r.kind}/${r.name}`)).toEqual(expect.arrayContaining(['Skill/echo', 'Prompt/shared.shared-system']));
  });

  it('refuses absolute paths and bare names', async () => {
    const [absolute] = errors((await fixture('absolute/main.ias')).diagnostics);
    expect(located(absolute!)).toBe('absolute/main.ias:3:8');
    expect(absolute!.message).toContain('is an absolute path');
    const [bare] = errors((await fixture('bare/main.ias')).diagnostics);
    expect(bare!.message).toContain('is not a relative path');
    expect(bare!.hint).toBe('write import "./skills.ias"');
  });

  it('reports the same name from two imported files, naming both files', async () => {
    const [collision, ...rest] = errors((await fixture('collision/main.ias')).diagnostics);
    expect(rest).toEqual([]);
    expect(located(collision!)).toBe('collision/main.ias:4:8');
    expect(collision!.message.replaceAll(`${fixtures}/`, '')).toBe(
      'Skill "search" is declared twice: at collision/a.ias:3:1 and at collision/b.ias:3:1, which this import brings in.',
    );
  });

  it('reports an imported name equal to a local one, naming both files', async () => {
    const [collision] = errors((await fixture('collision-local/main.ias')).diagnostics);
    expect(located(collision!)).toBe('collision-local/main.ias:3:8');
    expect(collision!.message.replaceAll(`${fixtures}/`, '')).toContain('at collision-local/main.ias:5:1 and at collision-local/a.ias:3:1');
  });

  it('locates an error inside an imported file in that file, with the import chain', async () => {
    const [inside] = errors((await fixture('error-inside/main.ias')).diagnostics);
    expect(located(inside!)).toBe('error-inside/lib.ias:4:14');
    expect(inside!.message.replaceAll(`${fixtures}/`, '')).toBe(
      'Unknown skill "missing_skill" referenced by agent "helper". (imported via error-inside/main.ias:3:1)',
    );
  });

  it('refuses an import leaving the package folder', async () => {
    const [outside] = errors((await fixture('outside/pkg/main.ias')).diagnostics);
    expect(located(outside!)).toBe('outside/pkg/main.ias:3:8');
    expect(outside!.message).toContain('leaves the package folder');
  });

  it('refuses the same file under two aliases', async () => {
    const [twice] = errors((await fixture('two-aliases/main.ias')).diagnostics);
    expect(located(twice!)).toBe('two-aliases/other.ias:3:8');
    expect(twice!.message).toContain('is already imported as one; here it would be as two');
  });

  it('checks a version written on a file import against the file’s package header', async () => {
    const [version] = errors((await fixture('version/main.ias')).diagnostics);
    expect(version!.message).toContain('asks for version 2.0.0, but');
    expect(version!.message).toContain('declares version 1.4.0');
  });
});

describe('symbolic links', () => {
  const dir = mkdtempSync(join(tmpdir(), 'agentspec-imports-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses a file whose real path leaves the package folder, and follows one that stays inside', async () => {
    mkdirSync(join(dir, 'pkg'));
    writeFileSync(join(dir, 'secret.ias'), `${HEADER('outside')}${SKILL('outside')}`);
    writeFileSync(join(dir, 'pkg', 'inside.ias'), `${HEADER('inside')}${SKILL('inside')}`);
    symlinkSync(join(dir, 'secret.ias'), join(dir, 'pkg', 'link-out.ias'));
    symlinkSync(join(dir, 'pkg', 'inside.ias'), join(dir, 'pkg', 'link-in.ias'));
    writeFileSync(join(dir, 'pkg', 'main.ias'), `${HEADER('m')}import "./link-out.ias"\nimport "./link-in.ias"\n`);
    const { diagnostics } = await compilePackage(join(dir, 'pkg', 'main.ias'), disk);
    expect(errors(diagnostics)).toMatchObject([{ line: 2, message: expect.stringContaining('leads out of the package folder through a symbolic link') }]);
  });
});

describe('what an imported file contributes', () => {
  it('reads a file imported twice (a diamond) once and emits its statements once', async () => {
    const files = Object.fromEntries(
      ['main', 'left', 'right', 'common'].map((n) => [`d/${n}.ias`, readFileSync(join(fixtures, 'diamond', `${n}.ias`), 'utf8')]),
    );
    const host = memory(files);
    const { ir, diagnostics } = await compilePackage('d/main.ias', host);
    expect(errors(diagnostics)).toEqual([]);
    expect(host.reads.get('d/common.ias')).toBe(1);
    expect(ir!.resources.filter((r) => r.kind === 'Skill').map((r) => r.name)).toEqual(['left', 'common', 'right']);
    expect(ir!.resources.filter((r) => r.kind === 'Import').map((r) => r.name)).toEqual(['./left.ias', './right.ias', './common.ias']);
  });

  it('counts only the entry file’s deploy and environment blocks, and the entry’s environment overlays imported resources by their qualified name', async () => {
    const { ir, diagnostics } = await fixture('entry-only/main.ias', { env: 'prod' });
    expect(diagnostics).toMatchObject([{ severity: 'warning', line: 19, message: expect.stringContaining('deploy "lib-local" is ignored') }]);
    expect(ir!.resources.filter((r) => r.kind === 'Deploy').map((r) => r.name)).toEqual(['local']);
    expect(ir!.environment).toBe('prod');
    expect(findResource(ir!, 'Agent', 'lib.helper')!.attributes.model).toBe('claude-opus-4-20250514');
    expect(validateIR(ir).errors).toEqual([]);
  });

  it('takes the newest lang of its files for the package (a 2.0 entry importing a 3.0 file)', async () => {
    const host = memory({ 'main.ias': `${HEADER('m', '2.0')}import "./lib.ias"\n`, 'lib.ias': `${HEADER('lib')}${SKILL('s')}` });
    const { ir } = await compilePackage('main.ias', host);
    expect(ir!.package.lang).toBe('3.0');
    expect(ir!.ir_version).toBe('2');
  });

  it('needs a package header in an imported file, like any file', async () => {
    const host = memory({ 'main.ias': `${HEADER('m')}import "./lib.ias"\n`, 'lib.ias': SKILL('s') });
    const { diagnostics } = await compilePackage('main.ias', host);
    expect(errors(diagnostics)[0]).toMatchObject({ file: 'lib.ias', line: 1 });
  });
});

describe('limits', () => {
  const chain = (n: number) =>
    Object.fromEntries(
      Array.from({ length: n }, (_, i) => [`f${i}.ias`, `${HEADER(`f${i}`)}${i + 1 < n ? `import "./f${i + 1}.ias"\n` : ''}${SKILL(`s${i}`)}`]),
    );

  it('stops at the file count', async () => {
    const { diagnostics } = await compilePackage('f0.ias', memory(chain(5)), { limits: { files: 3 } });
    expect(errors(diagnostics)).toMatchObject([{ file: 'f2.ias', line: 2, message: expect.stringContaining('at most 3 files') }]);
  });

  it('stops at the depth', async () => {
    const { diagnostics } = await compilePackage('f0.ias', memory(chain(5)), { limits: { depth: 2 } });
    expect(errors(diagnostics)).toMatchObject([{ file: 'f2.ias', message: expect.stringContaining('at most 2 deep') }]);
  });

  it('stops at the total size', async () => {
    const { diagnostics } = await compilePackage('f0.ias', memory(chain(3)), { limits: { totalBytes: 200 } });
    expect(errors(diagnostics)[0]!.message).toContain('total at most');
  });
});

describe('single files', () => {
  const corpus = join(import.meta.dirname, '..', 'fixtures', 'corpus', 'valid');
  // Files without imports: a file that imports others is a package, which compile() alone does not resolve.
  const single = readdirSync(corpus).filter((f) => f.endsWith('.ias') && !/^import /m.test(readFileSync(join(corpus, f), 'utf8')));
  it.each(single)('%s compiles to the same IR as compile()', async (name) => {
    const source = readFileSync(join(corpus, name), 'utf8');
    const expected: IRDocument | undefined = compile(source, { file: name }).ir;
    const { ir } = await compilePackage(name, memory({ [name]: source }));
    expect(ir).toEqual(expected);
  });
});

describe('the package loader', () => {
  it('loads through compilePackage and lists every file the package depends on', async () => {
    const loaded = await loadPackage(join(fixtures, 'aliased', 'main.ias'));
    expect(loaded.ir.package.name).toBe('aliased');
    expect(loaded.dependencies.map((p) => p.slice(fixtures.length + 1)).sort()).toEqual([
      'aliased/lib/kb.ias',
      'aliased/lib/search.ias',
      'aliased/lib/util.ias',
      'aliased/main.ias',
    ]);
  });

  it('fails with every file’s errors located in that file', async () => {
    await expect(loadPackage(join(fixtures, 'error-inside', 'main.ias'))).rejects.toThrow(/lib\.ias:4:14: error: Unknown skill "missing_skill"/);
  });
});
