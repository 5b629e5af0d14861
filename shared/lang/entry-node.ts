/**
 * The parser's entry and block nodes: flat classes that hold their own
 * positions as integers and build `range`/`keyRange` only when read. An entry
 * used to be four objects (the node, its range, its key token and that
 * token's locations); in a large source every one of them survives several
 * collections, so fewer objects is less for the collector to copy.
 */
import type { Body, Entry, Value } from './ast.js';
import { Span, TokenKind, type Location, type Range, type Token } from './tokens.js';

export class EntryNode implements Entry {
  call: Value | undefined = undefined;
  body: Body | undefined = undefined;
  trailing: Token | undefined = undefined;
  /** End of the entry (its last token); the key's end until the parser extends it. */
  endLine: number;
  endColumn: number;
  endOffset: number;

  constructor(
    readonly key: string,
    readonly keyQuoted: boolean,
    public args: Value[],
    readonly leading: Token[],
    readonly line: number,
    readonly column: number,
    readonly offset: number,
    readonly keyEndLine: number,
    readonly keyEndColumn: number,
    readonly keyEndOffset: number,
  ) {
    this.endLine = keyEndLine;
    this.endColumn = keyEndColumn;
    this.endOffset = keyEndOffset;
  }

  /** An entry whose key is `key` (a token) and that ends where the key does. */
  static fromKey(key: Token, args: Value[], leading: Token[]): EntryNode {
    return new EntryNode(key.value, key.kind === TokenKind.String, args, leading, key.line, key.column, key.offset, key.endLine, key.endColumn, key.endOffset);
  }

  /** A copy of `entry` with some parts replaced (environment overlays build new trees this way). */
  static copy(entry: Entry, parts: { args?: Value[]; body?: Body }): EntryNode {
    const k = entry.keyRange;
    const r = entry.range;
    const out = new EntryNode(entry.key, entry.keyQuoted, parts.args ?? entry.args, entry.leading, k.start.line, k.start.column, k.start.offset, k.end.line, k.end.column, k.end.offset);
    out.call = entry.call;
    out.body = parts.body ?? entry.body;
    out.trailing = entry.trailing;
    const end = r.end;
    out.extendTo(end.line, end.column, end.offset);
    return out;
  }

  /** Makes the entry end at this position (its last token's end). */
  extendTo(endLine: number, endColumn: number, endOffset: number): void {
    this.endLine = endLine;
    this.endColumn = endColumn;
    this.endOffset = endOffset;
  }

  get keyRange(): Range {
    return new Span(this.line, this.column, this.offset, this.keyEndLine, this.keyEndColumn, this.keyEndOffset);
  }

  get range(): Range {
    return this;
  }

  get start(): Location {
    return { line: this.line, column: this.column, offset: this.offset };
  }

  get end(): Location {
    return { line: this.endLine, column: this.endColumn, offset: this.endOffset };
  }
}

/** A `{ … }` block: its entries, the comments before its closing brace, and its span. */
export class BodyNode implements Body {
  constructor(
    readonly entries: Entry[],
    readonly closing: Token[],
    readonly line: number,
    readonly column: number,
    readonly offset: number,
    readonly endLine: number,
    readonly endColumn: number,
    readonly endOffset: number,
  ) {}

  /** A block from its opening token to its closing one. */
  static between(entries: Entry[], closing: Token[], open: Token, close: Token): BodyNode {
    return new BodyNode(entries, closing, open.line, open.column, open.offset, close.endLine, close.endColumn, close.endOffset);
  }

  /** A copy of `body` with other entries (environment overlays). */
  static withEntries(body: Body, entries: Entry[]): BodyNode {
    const { start, end } = body.range;
    return new BodyNode(entries, body.closing, start.line, start.column, start.offset, end.line, end.column, end.offset);
  }

  get range(): Range {
    return this;
  }

  get start(): Location {
    return { line: this.line, column: this.column, offset: this.offset };
  }

  get end(): Location {
    return { line: this.endLine, column: this.endColumn, offset: this.endOffset };
  }
}
