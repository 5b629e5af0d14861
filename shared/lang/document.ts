/** Read helpers over the syntax tree: statements by kind and name, attribute lookups. */
import type { Body, Entry, FileNode, Value } from './ast.js';

/** A top-level statement with a name (`agent "bot" { … }`). */
export interface Statement {
  kind: string;
  /** As the indexing file refers to it: qualified (`kb.search`) when brought in by an aliased import. */
  name: string;
  entry: Entry;
  /** Set on a statement brought in by an import: the file that declares it and its name there. */
  origin?: { file: string; name: string };
}

/** Statements of a file grouped by keyword; the first of each name wins (duplicates are validation errors). */
export class DocumentIndex {
  readonly byKind = new Map<string, Map<string, Statement>>();
  readonly ordered: Statement[] = [];

  constructor(readonly file: FileNode) {
    for (const entry of file.entries) {
      const name = nameOf(entry);
      if (entry.key === 'package' || name === undefined) continue;
      let names = this.byKind.get(entry.key);
      if (!names) this.byKind.set(entry.key, (names = new Map()));
      if (names.has(name)) continue;
      const st = { kind: entry.key, name, entry };
      names.set(name, st);
      this.ordered.push(st);
    }
  }

  /**
   * Makes a statement of another file visible under `st.name` (reference
   * lookups see it; `ordered`, what this file checks and lowers, does not).
   * False when the name is already taken.
   */
  addImported(st: Statement): boolean {
    let names = this.byKind.get(st.kind);
    if (!names) this.byKind.set(st.kind, (names = new Map()));
    if (names.has(st.name)) return false;
    names.set(st.name, st);
    return true;
  }

  names(kind: string): Map<string, Statement> {
    return this.byKind.get(kind) ?? new Map();
  }

  has(kind: string, name: string): boolean {
    return this.byKind.get(kind)?.has(name) ?? false;
  }
}

/** The quoted name of a statement (`agent "bot"` → `bot`). */
export function nameOf(entry: Entry): string | undefined {
  const first = entry.args[0];
  return first?.type === 'string' ? first.value : undefined;
}

/** The first entry named `key` in a body. */
export function attr(body: Body | undefined, key: string): Entry | undefined {
  if (!body) return undefined;
  // A loop, not find(): no closure per lookup (the lowering makes a great many).
  for (const e of body.entries) if (e.key === key) return e;
  return undefined;
}

/** Every entry named `key` in a body. */
export function attrs(body: Body | undefined, key: string): Entry[] {
  const out: Entry[] = [];
  if (body) for (const e of body.entries) if (e.key === key) out.push(e);
  return out;
}

/** The string value of an entry's first value. */
export function str(entry: Entry | undefined): string | undefined {
  const v = entry?.args[0];
  return v?.type === 'string' ? v.value : undefined;
}

/** A scalar of any type as written (strings, numbers, booleans, identifiers). */
export function scalar(v: Value | undefined): string | number | boolean | undefined {
  if (!v || v.type === 'list') return undefined;
  return v.value;
}

/** The strings of a list value. */
export function strings(v: Value | undefined): string[] {
  if (v?.type !== 'list') return [];
  const out: string[] = [];
  for (const i of v.items) if (i.type === 'string' || i.type === 'ident') out.push(i.value);
  // Sliced to its length: the IR keeps these, and a pushed-to array has room for 17.
  return out.slice();
}

/** A `{ KEY "value" }` map block as a record. */
export function mapOf(entry: Entry | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of entry?.body?.entries ?? []) {
    const v = scalar(e.args[0]);
    if (v !== undefined) out[e.key] = String(v);
  }
  return out;
}

/** The last positional string of an entry (`uses skill "x"` → `x`). */
export function lastString(entry: Entry): string | undefined {
  for (let i = entry.args.length - 1; i >= 0; i--) {
    const v = entry.args[i]!;
    if (v.type === 'string') return v.value;
  }
  return undefined;
}
