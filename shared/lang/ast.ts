/**
 * The syntax tree. IntentLang is uniform: every statement and attribute is an
 * {@link Entry} — a key, positional values, an optional `(call)` and an
 * optional `{ body }` — so the tree, the formatter and the validator share one
 * shape; what an entry means comes from its position (see `schema.ts`).
 */
import type { Range, Token } from './tokens.js';

export type Value =
  | { type: 'string'; value: string; range: Range; /** escapes as written, kept by the formatter */ raw?: string }
  | { type: 'number'; value: number; raw: string; range: Range }
  | { type: 'bool'; value: boolean; range: Range }
  | { type: 'ident'; value: string; range: Range }
  | { type: 'list'; items: Value[]; range: Range }
  /** An expression (`if`, `when`, `respond`, `with`), its source text as written; `shared/expr` reads it. */
  | { type: 'expr'; value: string; range: Range };

export interface Body {
  entries: Entry[];
  /** Comments between the last entry and the closing brace. */
  closing: Token[];
  range: Range;
}

export interface Entry {
  key: string;
  keyRange: Range;
  /** The key was written as a string (map blocks allow `"Content-Type" "x"`). */
  keyQuoted: boolean;
  args: Value[];
  /** The argument of `env(NAME)` / `store("path")`. */
  call?: Value | undefined;
  body?: Body | undefined;
  range: Range;
  /** Comments on the lines before this entry. */
  leading: Token[];
  /** A comment at the end of this entry's last line. */
  trailing?: Token | undefined;
}

export interface FileNode {
  entries: Entry[];
  /** Comments after the last statement. */
  closing: Token[];
  range: Range;
}

/** The text of a value as a user would read it (strings unquoted). */
export function valueText(v: Value): string {
  switch (v.type) {
    case 'number':
      return v.raw;
    case 'bool':
      return String(v.value);
    case 'list':
      return `[${v.items.map(valueText).join(', ')}]`;
    default:
      return v.value;
  }
}
