/**
 * The parser's entry and block nodes: flat classes that keep their start and
 * end as offsets into the file's {@link LineTable} and build `range` and
 * `keyRange` locations only when read. An entry used to be four objects (the
 * node, its range, its key token and that token's locations); in a large
 * source every one of them survives several collections, so fewer and smaller
 * objects are less for the collector to copy.
 */
import type { Body, Entry, Value } from './ast.js';
import { OffsetRange, type LineTable } from './line-table.js';
import { TokenKind, type Location, type Range, type Token } from './tokens.js';

export class EntryNode implements Entry {
  call: Value | undefined = undefined;
  body: Body | undefined = undefined;
  trailing: Token | undefined = undefined;
  /** End of the entry (its last token); the key's end until the parser extends it. */
  endOffset: number;

  constructor(
    readonly key: string,
    readonly keyQuoted: boolean,
    readonly args: Value[],
    readonly leading: Token[],
    readonly offset: number,
    readonly keyEndOffset: number,
    readonly lines: LineTable,
  ) {
    this.endOffset = keyEndOffset;
  }

  /** An entry whose key is `key` (a token) and that ends where the key does. */
  static fromKey(key: Token, args: Value[], leading: Token[], lines: LineTable): EntryNode {
    return new EntryNode(key.value, key.kind === TokenKind.String, args, leading, key.offset, key.endOffset, lines);
  }

  get keyRange(): Range {
    return new OffsetRange(this.offset, this.keyEndOffset, this.lines);
  }

  get range(): Range {
    return this;
  }

  get start(): Location {
    return this.lines.locate(this.offset);
  }

  get end(): Location {
    return this.lines.locate(this.endOffset);
  }
}

/** A `{ … }` block: its entries, the comments before its closing brace, and its span. */
export class BodyNode implements Body {
  constructor(
    readonly entries: Entry[],
    readonly closing: Token[],
    readonly offset: number,
    readonly endOffset: number,
    readonly lines: LineTable,
  ) {}

  get range(): Range {
    return this;
  }

  get start(): Location {
    return this.lines.locate(this.offset);
  }

  get end(): Location {
    return this.lines.locate(this.endOffset);
  }
}

/**
 * A copy of a node with some members replaced, keeping its class (and so its
 * computed `range`); object spread would copy only the own fields. Environment
 * overlays build their new trees this way.
 */
export function withParts<T extends object>(node: T, parts: Partial<T>): T {
  return Object.assign(Object.create(Object.getPrototypeOf(node) as object) as T, node, parts);
}
