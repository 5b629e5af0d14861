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

/** What few entries have: a quoted key, comments, a `(call)`. Kept apart so the many entries without them stay small. */
interface Rare {
  keyQuoted?: boolean;
  /** End of a quoted key (an identifier key ends `key.length` after its start). */
  keyEndOffset?: number;
  leading?: Token[];
  call?: Value;
  trailing?: Token;
}

/** The one empty comment list shared by every entry without leading comments (frozen: a stray push fails loudly). */
const NO_COMMENTS: Token[] = Object.freeze([]) as unknown as Token[];

export class EntryNode implements Entry {
  body: Body | undefined = undefined;
  private rare: Rare | undefined = undefined;
  /** End of the entry (its last token); the key's end until the parser extends it. */
  endOffset: number;

  constructor(
    readonly key: string,
    readonly args: Value[],
    readonly offset: number,
    keyEndOffset: number,
    readonly lines: LineTable,
  ) {
    this.endOffset = keyEndOffset;
  }

  /** An entry whose key is `key` (a token) and that ends where the key does. */
  static fromKey(key: Token, args: Value[], leading: Token[], lines: LineTable): EntryNode {
    const entry = new EntryNode(key.value, args, key.offset, key.endOffset, lines);
    if (key.kind === TokenKind.String) entry.extra.keyQuoted = true;
    if (key.endOffset !== key.offset + key.value.length) entry.extra.keyEndOffset = key.endOffset;
    if (leading.length > 0) entry.extra.leading = leading;
    return entry;
  }

  private get extra(): Rare {
    return (this.rare ??= {});
  }

  get keyQuoted(): boolean {
    return this.rare?.keyQuoted ?? false;
  }

  get leading(): Token[] {
    return this.rare?.leading ?? NO_COMMENTS;
  }

  get call(): Value | undefined {
    return this.rare?.call;
  }

  set call(value: Value | undefined) {
    this.extra.call = value;
  }

  get trailing(): Token | undefined {
    return this.rare?.trailing;
  }

  set trailing(token: Token | undefined) {
    this.extra.trailing = token;
  }

  get keyRange(): Range {
    return new OffsetRange(this.offset, this.rare?.keyEndOffset ?? this.offset + this.key.length, this.lines);
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
export class BodyNode extends OffsetRange implements Body {
  constructor(
    readonly entries: Entry[],
    readonly closing: Token[],
    offset: number,
    endOffset: number,
    lines: LineTable,
  ) {
    super(offset, endOffset, lines);
  }

  get range(): Range {
    return this;
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
