/**
 * The parser's value nodes. Each is its own range (`range` is the node) kept
 * as two offsets into the file's {@link LineTable}, so a value costs one small
 * object instead of a node, the token it came from and two locations; large
 * sources keep every value alive through several collections, so object count
 * and size are what the collector pays for. One flat class for every kind of
 * value also gives them one shape, which keeps the validator's and the
 * lowering's reads of `type` and `value` monomorphic.
 */
import type { Value } from './ast.js';
import type { LineTable } from './line-table.js';
import type { Location, Range, Token } from './tokens.js';

class ValueSpan {
  constructor(
    readonly type: Value['type'],
    readonly value: string | number | boolean | undefined,
    /** A string's or number's `raw` text, or a list's `items`: no value has both, so they share a field. */
    private readonly extra: string | Value[] | undefined,
    readonly offset: number,
    readonly endOffset: number,
    readonly lines: LineTable,
  ) {}

  get raw(): string | undefined {
    return typeof this.extra === 'string' ? this.extra : undefined;
  }

  get items(): Value[] | undefined {
    return typeof this.extra === 'object' ? this.extra : undefined;
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

function scalar(type: Value['type'], value: string | number | boolean, raw: string | undefined, t: Token, lines: LineTable): Value {
  return new ValueSpan(type, value, raw, t.offset, t.endOffset, lines) as Value;
}

/** Value nodes from the tokens that spell them. */
export const ValueNode = {
  string: (t: Token, lines: LineTable): Value => scalar('string', t.value, t.raw, t, lines),
  number: (t: Token, lines: LineTable): Value => scalar('number', Number(t.value), t.value, t, lines),
  bool: (t: Token, lines: LineTable): Value => scalar('bool', t.value === 'true', undefined, t, lines),
  ident: (t: Token, lines: LineTable): Value => scalar('ident', t.value, undefined, t, lines),
  list: (items: Value[], open: Token, close: Token, lines: LineTable): Value =>
    new ValueSpan('list', undefined, items, open.offset, close.endOffset, lines) as Value,
};
