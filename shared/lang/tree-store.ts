/**
 * The syntax tree's storage: every entry, block and value of a file as rows of
 * integers in a few typed arrays, plus the keys and the values' strings (in
 * chunks). The parser writes rows; the tree that the validator, the lowering
 * and the formatter walk is made of small views over them (see
 * `tree-views.ts`), created as they are read and dropped after.
 *
 * Why: a large source used to be one object per node, all alive until the
 * lowering ends, and the young-generation collector copied every one of them
 * twice (≈40% of a 100k-line compile). Typed arrays live outside the
 * collected heap, so the tree costs the collector almost nothing however large
 * it is, and a compile's time grows with its size instead of faster.
 */
import type { Token } from './tokens.js';
import type { LineTable } from './line-table.js';
import { IntRows } from './int-rows.js';

/** Columns of an entry row. */
export enum E {
  Key,
  Offset,
  End,
  Args,
  ArgCount,
  Body,
  Call,
  Size,
}

/** Columns of a value row. */
export enum V {
  Type,
  Offset,
  End,
  Items,
  ItemCount,
  Size,
}

/** Columns of a block row. */
export enum B {
  Entries,
  EntryCount,
  Offset,
  End,
  Size,
}

/** Value types by code, in {@link V.Type}. */
export const VALUE_TYPES = ['string', 'number', 'bool', 'ident', 'list', 'expr'] as const;
export enum T {
  String,
  Number,
  Bool,
  Ident,
  List,
  Expr,
}

/** What few entries have, kept by entry row: a quoted key, comments. */
export interface RareEntry {
  keyQuoted?: boolean;
  /** End of a quoted key (an identifier key ends `key.length` after its start). */
  keyEndOffset?: number;
  leading?: Token[];
  trailing?: Token;
}

/**
 * Source characters per entry, value or list item that the first allocation
 * assumes. Packages measured 18–34 (generated ones are the densest); sizing
 * for 16 means the arrays almost never grow (growing a large typed array
 * measured as costly as everything else the parser does), and memory only
 * touched when written costs nothing until then.
 */
const CHARS_PER_ROW = 16;

type Payload = string | boolean | undefined;
const CHUNK_BITS = 12;
const CHUNK = 1 << CHUNK_BITS;

/**
 * Payload chunks given back by released trees (emptied), reused like the
 * integer arrays: a reused chunk is already in the old generation, so the
 * collector does not copy it twice per compile the way it copies a new one.
 */
const chunkPool: Payload[][] = [];
/** 128 chunks: half a million values, 4 MiB of references. */
const CHUNK_POOL_MAX = 128;

function takeChunk(): Payload[] {
  return chunkPool.pop() ?? new Array<Payload>(CHUNK).fill(undefined);
}

export class TreeStore {
  readonly entries: IntRows;
  readonly values: IntRows;
  readonly bodies: IntRows;
  /** Value indices of argument lists and list items, each list contiguous. */
  readonly valueLists: IntRows;
  /** Entry indices of blocks, each block contiguous. */
  readonly entryLists: IntRows;
  /** The distinct keys, by the number in an entry's {@link E.Key} column. */
  readonly keys: string[] = [];
  private readonly keyIds = new Map<string, number>();
  /**
   * Values' payloads (the decoded string, a number's source text, a boolean;
   * undefined for lists) in chunks of {@link CHUNK}: appending to one plain
   * array of 100k items measured ~9× slower per item than to a small one.
   * Every row's slot is written (lists write undefined), so a reused chunk
   * never shows an earlier tree's payload.
   */
  private readonly payloads: Payload[][] = [takeChunk()];
  /** A string's source text when it differs from its value (escapes). */
  readonly raws = new Map<number, string>();
  readonly rare = new Map<number, RareEntry>();
  /** Comments before a block's closing brace, by block row, when there are any. */
  readonly closing = new Map<number, Token[]>();

  /** `sourceLength` sizes the first allocation, so that a typical file never grows its arrays. */
  constructor(
    readonly lines: LineTable,
    sourceLength: number,
  ) {
    const rows = Math.ceil(sourceLength / CHARS_PER_ROW);
    this.entries = new IntRows(rows * E.Size);
    this.values = new IntRows(rows * V.Size);
    this.bodies = new IntRows(Math.ceil(rows / 3) * B.Size);
    this.valueLists = new IntRows(rows);
    this.entryLists = new IntRows(rows);
  }

  /** Set once the tree's arrays are given back; views check it (see {@link TreeStore.release}). */
  released = false;

  /**
   * Gives the tree's arrays back for the next parse to reuse. Only the owner
   * of a whole compile calls it, when nothing it returns refers to the tree;
   * a view read after it throws instead of reading another file's rows.
   */
  release(): void {
    if (this.released) return;
    this.released = true;
    const used = this.values.length / V.Size;
    for (let i = 0; i < this.payloads.length; i++) {
      const chunk = this.payloads[i]!;
      chunk.fill(undefined, 0, Math.min(CHUNK, used - i * CHUNK));
      if (chunkPool.length < CHUNK_POOL_MAX) chunkPool.push(chunk);
    }
    this.payloads.length = 0;
    for (const rows of [this.entries, this.values, this.bodies, this.valueLists, this.entryLists]) rows.release();
    this.lines.release();
  }

  /** A new value row; returns its index. */
  addValue(type: T, data: Payload, offset: number, end: number): number {
    const at = this.values.alloc(V.Size);
    const rows = this.values.data;
    rows[at + V.Type] = type;
    rows[at + V.Offset] = offset;
    rows[at + V.End] = end;
    const row = at / V.Size;
    const chunks = this.payloads;
    if (row >> CHUNK_BITS === chunks.length) chunks.push(takeChunk());
    chunks[row >> CHUNK_BITS]![row & (CHUNK - 1)] = data;
    return row;
  }

  /** The payload of value row `row`. */
  payload(row: number): Payload {
    return this.payloads[row >> CHUNK_BITS]![row & (CHUNK - 1)];
  }

  /** A value row for a string, number or word token. */
  addToken(type: T, t: Token): number {
    const index = this.addValue(type, type === T.Bool ? t.value === 'true' : t.value, t.offset, t.endOffset);
    if (type === T.String && t.raw !== t.value) this.raws.set(index, t.raw!);
    return index;
  }

  /** A list value whose items are `stack[base..]`. */
  addList(stack: number[], base: number, offset: number, end: number): number {
    const count = stack.length - base;
    const items = this.copyList(this.valueLists, stack, base);
    const index = this.addValue(T.List, undefined, offset, end);
    const at = index * V.Size;
    this.values.data[at + V.Items] = items;
    this.values.data[at + V.ItemCount] = count;
    return index;
  }

  /** A new entry row whose arguments are `stack[base..]`; body and call start empty (-1). */
  addEntry(key: string, offset: number, end: number, stack: number[], base: number): number {
    const count = stack.length - base;
    const args = this.copyList(this.valueLists, stack, base);
    const at = this.entries.alloc(E.Size);
    const rows = this.entries.data;
    rows[at + E.Offset] = offset;
    rows[at + E.End] = end;
    rows[at + E.Args] = args;
    rows[at + E.ArgCount] = count;
    rows[at + E.Body] = -1;
    rows[at + E.Call] = -1;
    let id = this.keyIds.get(key);
    if (id === undefined) {
      id = this.keys.length;
      this.keys.push(key);
      this.keyIds.set(key, id);
    }
    rows[at + E.Key] = id;
    return at / E.Size;
  }

  /** Sets one column of an entry row. */
  setEntry(entry: number, column: E, value: number): void {
    this.entries.data[entry * E.Size + column] = value;
  }

  /** A new block row whose entries are `stack[base..]`. */
  addBody(stack: number[], base: number, offset: number, end: number): number {
    const count = stack.length - base;
    const list = this.copyList(this.entryLists, stack, base);
    const at = this.bodies.alloc(B.Size);
    const rows = this.bodies.data;
    rows[at + B.Entries] = list;
    rows[at + B.EntryCount] = count;
    rows[at + B.Offset] = offset;
    rows[at + B.End] = end;
    return at / B.Size;
  }

  /** The rare parts of an entry, created on first write. */
  rareOf(entry: number): RareEntry {
    let rare = this.rare.get(entry);
    if (!rare) this.rare.set(entry, (rare = {}));
    return rare;
  }

  /** Copies `stack[base..]` to the end of `list`, cuts the stack back to `base`, and returns where the copy starts. */
  private copyList(list: IntRows, stack: number[], base: number): number {
    const count = stack.length - base;
    const at = list.alloc(count);
    const data = list.data;
    for (let i = 0; i < count; i++) data[at + i] = stack[base + i]!;
    stack.length = base;
    return at;
  }
}
