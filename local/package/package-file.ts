/**
 * Which file a command reads when it is given a directory: the package's
 * entry, that is the one `.ias` file directly inside it, or — for a package
 * split into several files — the one top-level file that no other top-level
 * file imports. A directory where that is not exactly one file is an
 * `input_error` naming what was found. Any other path is returned as given.
 */
import { readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { AgentSpecError, ErrorCode } from '../../shared/errors.js';
import { parse } from '../../shared/lang/parser.js';
import { importsOf } from '../../shared/lang/imports-source.js';
import { readSourceFile } from './load-package.js';

export async function packageFile(path: string): Promise<string> {
  const info = await stat(path).catch(() => undefined);
  if (!info?.isDirectory()) return path;
  const entries = await readdir(path, { withFileTypes: true });
  const sources = entries
    .filter((e) => e.isFile() && e.name.endsWith('.ias'))
    .map((e) => join(path, e.name))
    .sort();
  if (sources.length === 0) throw new AgentSpecError(ErrorCode.InputError, `${path} holds no .ias file.`);
  if (sources.length === 1) return sources[0]!;
  const imported = new Set<string>();
  for (const file of sources) for (const target of await relativeImports(file)) imported.add(target);
  const roots = sources.filter((file) => !imported.has(resolve(file)));
  if (roots.length === 1) return roots[0]!;
  const names = (roots.length === 0 ? sources : roots).map((f) => f.slice(path.length).replace(/^[\\/]+/, ''));
  throw new AgentSpecError(
    ErrorCode.InputError,
    roots.length === 0
      ? `${path}: every .ias file in it is imported by another (${names.join(', ')}); pass the entry file.`
      : `${path} holds several .ias files that no other imports (${names.join(', ')}); pass the one to use.`,
  );
}

/** The absolute paths a file imports by relative path (syntax errors are left to the compile that follows). */
async function relativeImports(file: string): Promise<string[]> {
  const parsed = parse(await readSourceFile(file), file);
  try {
    return importsOf(parsed.file.entries)
      .filter((s) => s.kind === 'relative')
      .map((s) => resolve(file, '..', s.source));
  } finally {
    parsed.release();
  }
}
