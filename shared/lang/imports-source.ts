/**
 * What an `import "<source>" [version "<v>"] [as <alias>]` statement says:
 * its parts, and which kind of source it names — a path relative to the
 * importing file (the only kind resolved), an absolute path, a remote
 * package (URL, git or host/path) or a bare name.
 */
import type { Entry } from './ast.js';
import type { Range } from './tokens.js';

export type SourceKind = 'relative' | 'absolute' | 'remote' | 'bare';

export interface ImportStatement {
  entry: Entry;
  source: string;
  sourceRange: Range;
  version?: string;
  alias?: string;
  aliasRange?: Range;
  kind: SourceKind;
}

/** An alias is one identifier: it becomes the `alias.` prefix of the names it brings in. */
export const ALIAS = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** The kind of an import source as written. */
export function sourceKind(source: string): SourceKind {
  if (source.startsWith('./') || source.startsWith('../')) return 'relative';
  if (source.startsWith('/') || source.startsWith('\\') || source.startsWith('~') || /^[A-Za-z]:[\\/]/.test(source)) return 'absolute';
  if (/^[A-Za-z][A-Za-z0-9+.-]*:/.test(source) || source.startsWith('git@') || /^[\w-]+(\.[\w-]+)+\//.test(source)) return 'remote';
  return 'bare';
}

/** The import statements of a file's entries (shape errors are the structure checker's). */
export function importsOf(entries: readonly Entry[]): ImportStatement[] {
  const out: ImportStatement[] = [];
  for (const entry of entries) {
    if (entry.key !== 'import') continue;
    const first = entry.args[0];
    if (first?.type !== 'string') continue;
    const at = (word: string) => entry.args.findIndex((v) => v.type === 'ident' && v.value === word);
    const version = entry.args[at('version') + 1];
    const alias = entry.args[at('as') + 1];
    const statement: ImportStatement = { entry, source: first.value, sourceRange: first.range, kind: sourceKind(first.value) };
    if (at('version') > 0 && version?.type === 'string') statement.version = version.value;
    if (at('as') > 0 && (alias?.type === 'ident' || alias?.type === 'string')) {
      statement.alias = alias.value;
      statement.aliasRange = alias.range;
    }
    out.push(statement);
  }
  return out;
}
