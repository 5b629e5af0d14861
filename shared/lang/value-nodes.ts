/**
 * The parser's value nodes. Each is its own range (`range` is the node), so a
 * value costs one object instead of a node, the token it came from and two
 * locations; large sources keep every value alive through several
 * collections, so object count is what the collector pays for. One flat class
 * for every kind of value also gives them one shape, which keeps the
 * validator's and the lowering's reads of `type` and `value` monomorphic.
 */
import type { Value } from './ast.js';
import type { Location, Range, Token } from './tokens.js';

class ValueSpan {
  constructor(
    readonly type: Value['type'],
    readonly value: string | number | boolean | undefined,
    readonly raw: string | undefined,
    readonly items: Value[] | undefined,
    readonly line: number,
    readonly column: number,
    readonly offset: number,
    readonly endLine: number,
    readonly endColumn: number,
    readonly endOffset: number,
  ) {}

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

function scalar(type: Value['type'], value: string | number | boolean, raw: string | undefined, t: Token): Value {
  return new ValueSpan(type, value, raw, undefined, t.line, t.column, t.offset, t.endLine, t.endColumn, t.endOffset) as Value;
}

/** Value nodes from the tokens that spell them. */
export const ValueNode = {
  string: (t: Token): Value => scalar('string', t.value, t.raw, t),
  number: (t: Token): Value => scalar('number', Number(t.value), t.value, t),
  bool: (t: Token): Value => scalar('bool', t.value === 'true', undefined, t),
  ident: (t: Token): Value => scalar('ident', t.value, undefined, t),
  list: (items: Value[], open: Token, close: Token): Value =>
    new ValueSpan('list', undefined, undefined, items, open.line, open.column, open.offset, close.endLine, close.endColumn, close.endOffset) as Value,
};
