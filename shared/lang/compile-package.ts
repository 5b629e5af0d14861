/**
 * Compiles a multi-file package: the entry file and every file it imports
 * (`import "./other.ias" [as alias]`), read through a host function so the
 * same code runs on disk, in tests and from bundled files. Each file is
 * parsed once and checked with its own path and positions, seeing its own
 * statements and those its imports bring in; the result is one IR, as if the
 * package were one file, with names brought in by an alias qualified
 * (`kb.search`). Import rules (paths, cycles, collisions, limits) are in
 * docs/language.md, "Imports".
 */
import { dirname, isAbsolute, join, relative, sep } from 'node:path';
import type { Diagnostic } from './diagnostic.js';
import { diagnosticAt } from './diagnostic.js';
import { DocumentIndex, type Statement } from './document.js';
import { liftEntry, qualifyResource } from './imports-qualify.js';
import { ALIAS, importsOf, type ImportStatement } from './imports-source.js';
import { lower } from './lower.js';
import { applyEnvironment } from './overlay.js';
import { parse, type ParseResult } from './parser.js';
import { sortDiagnostics, validate } from './validate.js';
import type { FileNode } from './ast.js';
import type { Range } from './tokens.js';
import { canonicalJson, sha256Hex } from '../ir/hash.js';
import { IR_VERSION, type IRDocument, type IRResource } from '../ir/types.js';

/** Where the files come from. */
export interface PackageHost {
  /** The text of a file; throws (any error, its message is shown) when it cannot be read. */
  readFile(path: string): Promise<string> | string;
  /** The path with symbolic links resolved; when given, files whose real path leaves the package folder are refused. */
  realPath?(path: string): Promise<string> | string;
}

export interface ImportLimits {
  /** files in the package, the entry included */
  files: number;
  /** imports in one chain */
  depth: number;
  /** bytes of all files together */
  totalBytes: number;
}

export const IMPORT_LIMITS: ImportLimits = { files: 1000, depth: 64, totalBytes: 64 * 1024 * 1024 };

export interface PackageCompileOptions {
  /** Environment overlay to apply (declared in the entry file). */
  env?: string;
  limits?: Partial<ImportLimits>;
}

export interface PackageCompileResult {
  /** Present only when there is no error. */
  ir?: IRDocument;
  /** Every file's diagnostics, each with that file's path; the entry's first. */
  diagnostics: Diagnostic[];
  /** The source of every file read, by the path diagnostics use; the entry first. */
  files: Map<string, string>;
  /** Every path the result depends on, missing imported files included (what a watcher watches). */
  dependencies: string[];
}

/** Kinds that only count in the entry file: how the package is deployed and configured per environment. */
const ENTRY_ONLY = new Set(['deploy', 'environment']);
/** Kinds that are never brought in by an import. */
const NOT_EXPORTED = new Set([...ENTRY_ONLY, 'import']);

interface Unit {
  path: string;
  key: string;
  source: string;
  parsed: ParseResult;
  node: FileNode;
  prefix: string;
  /** `main.ias:3:1 → lib.ias:2:1`: the imports that first brought this file in; empty for the entry. */
  via: string[];
  links: { statement: ImportStatement; target: Unit }[];
  diagnostics: Diagnostic[];
}

/**
 * Compiles the package whose entry file is `entry`.
 * @example const { ir, diagnostics } = await compilePackage('agents/main.ias', { readFile: (p) => readFile(p, 'utf8') });
 */
export async function compilePackage(entry: string, host: PackageHost, options: PackageCompileOptions = {}): Promise<PackageCompileResult> {
  const resolver = new Resolver(entry, host, { ...IMPORT_LIMITS, ...options.limits });
  try {
    await resolver.run();
    return resolver.compile(options.env);
  } finally {
    resolver.release();
  }
}

class Resolver {
  readonly units = new Map<string, Unit>();
  private readonly root: string;
  private realRoot: string | undefined;
  private bytes = 0;
  private readonly dependencies = new Set<string>();

  constructor(
    private readonly entry: string,
    private readonly host: PackageHost,
    private readonly limits: ImportLimits,
  ) {
    this.root = dirname(entry);
  }

  async run(): Promise<void> {
    // The entry is read first: its read errors are the caller's to report as they are.
    const source = await this.host.readFile(this.entry);
    if (this.host.realPath) this.realRoot = await this.host.realPath(this.root);
    const key = this.host.realPath ? await this.host.realPath(this.entry) : join(this.entry);
    this.dependencies.add(this.entry);
    await this.visit(this.entry, key, source, '', [], []);
  }

  release(): void {
    for (const unit of this.units.values()) unit.parsed.release();
  }

  private async visit(path: string, key: string, source: string, prefix: string, via: string[], stack: string[]): Promise<Unit> {
    this.bytes += Buffer.byteLength(source, 'utf8');
    const parsed = parse(source, path);
    const unit: Unit = { path, key, source, parsed, node: parsed.file, prefix, via, links: [], diagnostics: [...parsed.diagnostics] };
    this.units.set(key, unit);
    const lang = langOf(parsed.file);
    const aliases = new Map<string, Range>();
    const chain = [...stack, key];
    for (const statement of importsOf(parsed.file.entries)) {
      const error = (range: Range, message: string, hint?: string, code = 'import') =>
        unit.diagnostics.push(diagnosticAt(path, range, 'error', message, hint, code));
      const { source: written, sourceRange } = statement;
      if (statement.alias !== undefined) {
        const aliasRange = statement.aliasRange!;
        const earlier = aliases.get(statement.alias);
        if (!ALIAS.test(statement.alias)) {
          error(
            aliasRange,
            `Import alias "${statement.alias}" is not a name: it prefixes the names it brings in (${statement.alias}.<name>).`,
            'use letters, digits, _ and -',
          );
          continue;
        }
        if (earlier) {
          error(aliasRange, `Alias ${statement.alias} is already used by the import on line ${earlier.start.line}.`, 'give each import its own alias');
          continue;
        }
        aliases.set(statement.alias, aliasRange);
      }
      if (statement.kind !== 'relative') {
        this.notAFile(unit, statement, lang);
        continue;
      }
      const target = join(dirname(path), written);
      this.dependencies.add(target);
      if (outside(this.root, target)) {
        error(
          sourceRange,
          `Import "${written}" leaves the package folder (${this.root === '.' ? 'the entry file’s folder' : this.root}).`,
          'move the file into the package folder and import it from there',
        );
        continue;
      }
      let targetKey = target;
      if (this.host.realPath) {
        try {
          targetKey = await this.host.realPath(target);
        } catch {
          error(
            sourceRange,
            `Cannot import "${written}": ${target} does not exist.`,
            written.endsWith('.ias') ? undefined : `the path names the file, extension included: "${written}.ias"`,
          );
          continue;
        }
        if (outside(this.realRoot!, targetKey)) {
          error(
            sourceRange,
            `Import "${written}" leads out of the package folder through a symbolic link (${target}).`,
            'copy the file into the package folder',
          );
          continue;
        }
      }
      const childPrefix = statement.alias === undefined ? prefix : `${prefix}${statement.alias}.`;
      const at = `${path}:${statement.entry.range.start.line}:${statement.entry.range.start.column}`;
      const cycleStart = chain.indexOf(targetKey);
      if (cycleStart >= 0) {
        const names = [...chain.slice(cycleStart).map((k) => this.units.get(k)!.path), target];
        error(sourceRange, `Import cycle: ${names.join(' → ')}.`, 'remove one of these imports; move what both files need into a third file', 'cycle');
        continue;
      }
      const existing = this.units.get(targetKey);
      let child: Unit;
      if (existing) {
        if (existing.prefix !== childPrefix) {
          error(
            sourceRange,
            `${existing.path} is already imported ${describePrefix(existing.prefix)}; here it would be ${describePrefix(childPrefix)}, so its statements would exist twice.`,
            'import it under the same alias everywhere',
          );
          continue;
        }
        child = existing;
      } else {
        const limit = this.limitReached(chain.length);
        if (limit) {
          error(sourceRange, `Cannot import "${written}": ${limit}.`, undefined, 'limit');
          continue;
        }
        let text: string;
        try {
          text = await this.host.readFile(target);
        } catch (e) {
          error(sourceRange, `Cannot import "${written}": ${(e as Error).message}`);
          continue;
        }
        child = await this.visit(target, targetKey, text, childPrefix, [...via, at], chain);
      }
      const declared = headerVersion(child.node);
      if (statement.version !== undefined && declared !== undefined && declared !== statement.version) {
        error(
          sourceRange,
          `Import "${written}" asks for version ${statement.version}, but ${child.path} declares version ${declared}.`,
          'update the version of the import or of the file',
        );
      }
      unit.links.push({ statement, target: child });
    }
    return unit;
  }

  /**
   * An import that names no file of the package. `import "<name>" version "<v>"`
   * (no alias) and any such import of a 2.0 file keep their 2.0 meaning, a
   * dependency recorded in the IR; otherwise (3.0: its names are wanted) it is an error.
   */
  private notAFile(unit: Unit, statement: ImportStatement, lang: string): void {
    const { source, sourceRange } = statement;
    const record = lang === '2.0' || (statement.version !== undefined && statement.alias === undefined);
    if (statement.kind === 'absolute') {
      unit.diagnostics.push(
        diagnosticAt(
          unit.path,
          sourceRange,
          'error',
          `Import "${source}" is an absolute path; imports are relative to the importing file.`,
          'write it as "./…" or "../…" from this file',
          'import',
        ),
      );
      return;
    }
    if (record) {
      unit.diagnostics.push(
        diagnosticAt(
          unit.path,
          sourceRange,
          'warning',
          `Import "${source}" is recorded as a dependency but not fetched: nothing it declares is available here.`,
          'to use its statements, vendor the file into the package folder and import it by relative path',
          'import',
        ),
      );
      return;
    }
    if (statement.kind === 'remote') {
      unit.diagnostics.push(
        diagnosticAt(
          unit.path,
          sourceRange,
          'error',
          `Import "${source}" names a remote package; fetching packages is not supported.`,
          'vendor the file into the package folder and import it by relative path, e.g. import "./vendor/<file>.ias"',
          'import',
        ),
      );
      return;
    }
    unit.diagnostics.push(
      diagnosticAt(
        unit.path,
        sourceRange,
        'error',
        `Import "${source}" is not a relative path; imports start with ./ or ../.`,
        `write import "./${source}"`,
        'import',
      ),
    );
  }

  private limitReached(depth: number): string | undefined {
    if (this.units.size >= this.limits.files) return `a package has at most ${this.limits.files} files`;
    if (depth > this.limits.depth) return `imports nest at most ${this.limits.depth} deep`;
    if (this.bytes >= this.limits.totalBytes) return `the files of a package total at most ${this.limits.totalBytes / 1024 / 1024} MiB`;
    return undefined;
  }

  compile(env: string | undefined): PackageCompileResult {
    const entry = [...this.units.values()][0]!;
    const scopes = new Scopes(this.units);
    for (const unit of this.units.values()) {
      const doc = scopes.docOf(unit);
      unit.diagnostics.push(...validate(unit.node, unit.path, doc));
      if (unit !== entry)
        for (const st of doc.ordered)
          if (ENTRY_ONLY.has(st.kind))
            unit.diagnostics.push(
              diagnosticAt(
                unit.path,
                st.entry.keyRange,
                'warning',
                `${st.kind} "${st.name}" is ignored: only the entry file's deploy and environment blocks count.`,
                undefined,
                'import',
              ),
            );
    }
    let diagnostics = this.collect();
    const files = new Map([...this.units.values()].map((u) => [u.path, u.source]));
    const result = (ir?: IRDocument): PackageCompileResult => ({ ...(ir ? { ir } : {}), diagnostics, files, dependencies: [...this.dependencies] });
    if (diagnostics.some((d) => d.severity === 'error')) return result();
    if (env !== undefined) {
      const found: Diagnostic[] = [];
      const entryDoc = scopes.docOf(entry);
      const overlaid = new Map<Unit, FileNode>();
      for (const unit of this.units.values()) {
        const out: Diagnostic[] = [];
        const node = applyEnvironment(unit.node, entryDoc, env, unit.path, out);
        if (unit === entry) found.push(...out);
        if (node) overlaid.set(unit, node);
      }
      diagnostics = [...diagnostics, ...found];
      if (found.some((d) => d.severity === 'error')) return result();
      for (const [unit, node] of overlaid) unit.node = node;
    }
    return result(this.merge(entry, new Scopes(this.units), env));
  }

  /** Diagnostics of every file in visiting order, each file's sorted, those of imported files naming the imports that brought them in. */
  private collect(): Diagnostic[] {
    const out: Diagnostic[] = [];
    for (const unit of this.units.values()) {
      for (const d of sortDiagnostics(unit.diagnostics))
        out.push(unit.via.length ? { ...d, message: `${d.message} (imported via ${unit.via.join(' → ')})` } : d);
    }
    return out;
  }

  private merge(entry: Unit, scopes: Scopes, env: string | undefined): IRDocument {
    let lang = '2.0';
    let version: string = this.units.size > 1 ? IR_VERSION : '1';
    const resources: IRResource[] = [];
    const seen = new Set<string>();
    let pkg: IRDocument['package'] | undefined;
    for (const unit of this.units.values()) {
      const doc = scopes.docOf(unit);
      const ir = lower(unit.node, doc, env);
      pkg ??= ir.package;
      if (ir.package.lang === '3.0') lang = '3.0';
      if (ir.ir_version === IR_VERSION) version = IR_VERSION;
      const imported = new Map(unit.links.map((l) => [l.statement.source, l.target]));
      const isSecret = (name: string) => doc.has('secret', name);
      for (const resource of ir.resources) {
        if (unit !== entry && (resource.kind === 'Deploy' || resource.kind === 'Environment')) continue;
        let next = resource;
        if (resource.kind === 'Import') {
          const target = imported.get(resource.name);
          if (target) next = { ...resource, name: `./${relative(this.root, target.path).split(sep).join('/')}` };
        } else if (unit.prefix !== '') next = qualifyResource(resource, unit.prefix, isSecret);
        const id = `${next.kind}/${next.name}`;
        if (seen.has(id)) continue;
        seen.add(id);
        // Every resource belongs to the entry's package, whichever file declares it.
        const fqn = [pkg.name, next.kind, next.name].join('/');
        if (next === resource && resource.fqn === fqn) resources.push(resource);
        else resources.push({ ...next, fqn, hash: next === resource ? resource.hash : sha256Hex(canonicalJson(next.attributes)) });
      }
    }
    const body: Omit<IRDocument, 'hash'> = { ir_version: version as IRDocument['ir_version'], package: { ...pkg!, lang: lang as '2.0' }, resources };
    if (env !== undefined) body.environment = env;
    return { ...body, hash: sha256Hex(canonicalJson(body)) };
  }
}

/** The names each file sees: its own statements, then what each of its imports exports, prefixed by the import's alias. */
class Scopes {
  private readonly exports = new Map<Unit, Map<string, Map<string, Statement>>>();
  private readonly docs = new Map<Unit, DocumentIndex>();

  constructor(private readonly units: Map<string, Unit>) {}

  docOf(unit: Unit): DocumentIndex {
    let doc = this.docs.get(unit);
    if (doc) return doc;
    doc = new DocumentIndex(unit.node);
    for (const names of this.exportsOf(unit).values()) for (const st of names.values()) if (st.origin!.file !== unit.path) doc.addImported(st);
    this.docs.set(unit, doc);
    return doc;
  }

  /** Everything `unit` makes visible to an importer, by kind and name (collisions reported on the way, the first kept). */
  private exportsOf(unit: Unit): Map<string, Map<string, Statement>> {
    const cached = this.exports.get(unit);
    if (cached) return cached;
    const out = new Map<string, Map<string, Statement>>();
    this.exports.set(unit, out);
    const own = new DocumentIndex(unit.node);
    // Every exported statement carries its origin, so an unaliased import passes the same objects on.
    for (const st of own.ordered) {
      if (NOT_EXPORTED.has(st.kind)) continue;
      namesOf(out, st.kind).set(st.name, { ...st, origin: { file: unit.path, name: st.name } });
    }
    for (const { statement, target } of unit.links) {
      const prefix = statement.alias === undefined ? '' : `${statement.alias}.`;
      for (const [kind, names] of this.exportsOf(target)) {
        const into = namesOf(out, kind);
        for (const [name, st] of names) {
          const qualified = `${prefix}${name}`;
          const lifted: Statement = prefix === '' ? st : { kind, name: qualified, entry: liftEntry(kind, st.entry, prefix), origin: st.origin! };
          const earlier = into.get(qualified);
          if (!earlier) {
            into.set(qualified, lifted);
            continue;
          }
          if (sameStatement(earlier, lifted)) continue;
          const where = (s: Statement) => `${s.origin!.file}:${s.entry.range.start.line}:${s.entry.range.start.column}`;
          unit.diagnostics.push(
            diagnosticAt(
              unit.path,
              statement.sourceRange,
              'error',
              `${kind[0]!.toUpperCase()}${kind.slice(1)} "${qualified}" is declared twice: at ${where(earlier)} and at ${where(lifted)}, which this import brings in.`,
              statement.alias === undefined ? 'import one of the files under an alias (import "…" as <name>) or rename one of them' : 'rename one of them',
              'duplicate',
            ),
          );
        }
      }
    }
    return out;
  }
}

function namesOf(map: Map<string, Map<string, Statement>>, kind: string): Map<string, Statement> {
  let names = map.get(kind);
  if (!names) map.set(kind, (names = new Map()));
  return names;
}

/** The same declaration reached twice (a diamond), not two declarations. */
function sameStatement(a: Statement, b: Statement): boolean {
  return a === b || (a.origin!.file === b.origin!.file && a.origin!.name === b.origin!.name);
}

function outside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel);
}

function describePrefix(prefix: string): string {
  return prefix === '' ? 'without an alias' : `as ${prefix.slice(0, -1)}`;
}

function langOf(node: FileNode): string {
  const header = node.entries.find((e) => e.key === 'package');
  const v = header?.args[4];
  return v?.type === 'string' ? v.value : '2.0';
}

function headerVersion(node: FileNode): string | undefined {
  const v = node.entries.find((e) => e.key === 'package')?.args[2];
  return v?.type === 'string' ? v.value : undefined;
}
