/**
 * The syntax tree as the toolchain reads it: {@link Entry}, {@link Body} and
 * {@link Value} views over the rows of a {@link TreeStore}. A view is two
 * fields (the store and a row); walking the tree creates views that die young,
 * so a large file's tree is not copied by the collector (see `tree-store.ts`).
 *
 * The three view classes repeat their `range`, `start` and `end` getters
 * rather than share a base class: a derived class's constructor (the
 * `super()` call) measured several times slower, and views are made by the
 * hundred thousand.
 *
 * A block view keeps the list of its entries once built (the lowering looks up
 * many attributes in one block), and an entry view its values and block view;
 * only the statements, which the file keeps, build new ones on each read, so
 * they do not end up holding the whole tree.
 */
import type { Body, Entry, FileNode, Value } from './ast.js';
import { OffsetRange } from './line-table.js';
import { B, E, T, V, VALUE_TYPES, type TreeStore } from './tree-store.js';
import type { Location, Range, Token } from './tokens.js';

/** Throws when the tree's arrays have been given back (their rows may now be another file's). */
function live(store: TreeStore): TreeStore {
  if (store.released) throw new Error('internal: a syntax tree was read after its compile released it');
  return store;
}

/** The one empty list shared by every entry without values or comments (frozen: a stray push fails loudly). */
const NONE: never[] = Object.freeze([]) as never[];

class ValueView {
  constructor(
    private readonly store: TreeStore,
    private readonly row: number,
  ) {}

  private get at(): number {
    return this.row * V.Size;
  }

  get type(): Value['type'] {
    return VALUE_TYPES[live(this.store).values.data[this.at + V.Type]!]!;
  }

  get value(): string | number | boolean | undefined {
    const data = live(this.store).payload(this.row);
    return this.store.values.data[this.at + V.Type] === T.Number ? Number(data) : data;
  }

  get raw(): string | undefined {
    const type = this.store.values.data[this.at + V.Type];
    if (type === T.Number) return this.store.payload(this.row) as string;
    if (type === T.String) return this.store.raws.get(this.row) ?? (this.store.payload(this.row) as string);
    return undefined;
  }

  get items(): Value[] | undefined {
    const rows = this.store.values.data;
    if (rows[this.at + V.Type] !== T.List) return undefined;
    return valueList(this.store, rows[this.at + V.Items]!, rows[this.at + V.ItemCount]!);
  }

  get offset(): number {
    return this.store.values.data[this.at + V.Offset]!;
  }

  get endOffset(): number {
    return this.store.values.data[this.at + V.End]!;
  }

  get range(): Range {
    return this;
  }

  get start(): Location {
    return this.store.lines.locate(this.offset);
  }

  get end(): Location {
    return this.store.lines.locate(this.endOffset);
  }
}

function valueList(store: TreeStore, start: number, count: number): Value[] {
  if (count === 0) return NONE;
  const list = store.valueLists.data;
  const out = new Array<Value>(count);
  for (let i = 0; i < count; i++) out[i] = new ValueView(store, list[start + i]!) as unknown as Value;
  return out;
}

/** The value in row `row` of `store`. */
export function valueAt(store: TreeStore, row: number): Value {
  return new ValueView(store, row) as unknown as Value;
}

export class EntryView implements Entry {
  private argList: Value[] | undefined = undefined;
  private block: Body | undefined = undefined;

  constructor(
    private readonly store: TreeStore,
    private readonly row: number,
    /** Whether to keep the views it builds (values, block): not for statements, which the file keeps. */
    private readonly keep: boolean,
  ) {}

  private get at(): number {
    return this.row * E.Size;
  }

  get key(): string {
    return live(this.store).keys[this.store.entries.data[this.at + E.Key]!]!;
  }

  get args(): Value[] {
    const rows = this.store.entries.data;
    if (this.argList) return this.argList;
    const args = valueList(live(this.store), rows[this.at + E.Args]!, rows[this.at + E.ArgCount]!);
    if (this.keep) this.argList = args;
    return args;
  }

  get body(): Body | undefined {
    if (this.block) return this.block;
    const row = live(this.store).entries.data[this.at + E.Body]!;
    if (row < 0) return undefined;
    const body = new BodyView(this.store, row);
    if (this.keep) this.block = body;
    return body;
  }

  get call(): Value | undefined {
    const call = this.store.entries.data[this.at + E.Call]!;
    return call < 0 ? undefined : valueAt(this.store, call);
  }

  get keyQuoted(): boolean {
    return this.store.rare.get(this.row)?.keyQuoted ?? false;
  }

  get leading(): Token[] {
    return this.store.rare.get(this.row)?.leading ?? NONE;
  }

  get trailing(): Token | undefined {
    return this.store.rare.get(this.row)?.trailing;
  }

  get keyRange(): Range {
    const offset = this.offset;
    return new OffsetRange(offset, this.store.rare.get(this.row)?.keyEndOffset ?? offset + this.key.length, this.store.lines);
  }

  get offset(): number {
    return this.store.entries.data[this.at + E.Offset]!;
  }

  get endOffset(): number {
    return this.store.entries.data[this.at + E.End]!;
  }

  get range(): Range {
    return this;
  }

  get start(): Location {
    return this.store.lines.locate(this.offset);
  }

  get end(): Location {
    return this.store.lines.locate(this.endOffset);
  }
}

export class BodyView implements Body {
  private list: Entry[] | undefined = undefined;

  constructor(
    private readonly store: TreeStore,
    private readonly row: number,
  ) {}

  private get at(): number {
    return this.row * B.Size;
  }

  get entries(): Entry[] {
    return (this.list ??= entryList(live(this.store), this.store.bodies.data[this.at + B.Entries]!, this.store.bodies.data[this.at + B.EntryCount]!));
  }

  get closing(): Token[] {
    return this.store.closing.get(this.row) ?? NONE;
  }

  get offset(): number {
    return this.store.bodies.data[this.at + B.Offset]!;
  }

  get endOffset(): number {
    return this.store.bodies.data[this.at + B.End]!;
  }

  get range(): Range {
    return this;
  }

  get start(): Location {
    return this.store.lines.locate(this.offset);
  }

  get end(): Location {
    return this.store.lines.locate(this.endOffset);
  }
}

function entryList(store: TreeStore, start: number, count: number): Entry[] {
  if (count === 0) return NONE;
  const list = store.entryLists.data;
  const out = new Array<Entry>(count);
  for (let i = 0; i < count; i++) out[i] = new EntryView(store, list[start + i]!, true);
  return out;
}

/** The file node: its statements as views (kept: a file's statements are few), closing comments and range. */
export function fileNode(store: TreeStore, entries: number[], closing: Token[], range: Range): FileNode {
  return { entries: entries.map((row) => new EntryView(store, row, false)), closing, range };
}
