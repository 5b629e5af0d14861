/** Tokens of IntentLang: kinds whose values print well in messages, and source locations. */

/** A point in the source: 1-based line and column, 0-based offset. */
export interface Location {
  line: number;
  column: number;
  offset: number;
}

/** A span of source from `start` (inclusive) to `end` (exclusive). */
export interface Range {
  start: Location;
  end: Location;
}

/**
 * A {@link Range} stored as six small integers in one object. Its `start` and
 * `end` locations are built when read (diagnostics, tests), not per token or
 * node: large sources keep the whole tree alive through several collections,
 * and three objects per token were most of what the collector had to copy.
 */
export class Span implements Range {
  constructor(
    readonly line: number,
    readonly column: number,
    readonly offset: number,
    readonly endLine: number,
    readonly endColumn: number,
    readonly endOffset: number,
  ) {}

  /** From `first`'s start to `last`'s end. */
  static between(first: Span, last: Span): Span {
    return new Span(first.line, first.column, first.offset, last.endLine, last.endColumn, last.endOffset);
  }

  get start(): Location {
    return { line: this.line, column: this.column, offset: this.offset };
  }

  get end(): Location {
    return { line: this.endLine, column: this.endColumn, offset: this.endOffset };
  }
}

export enum TokenKind {
  LBrace = '{',
  RBrace = '}',
  LBracket = '[',
  RBracket = ']',
  LParen = '(',
  RParen = ')',
  Comma = ',',
  String = 'String',
  Number = 'Number',
  Identifier = 'Identifier',
  Comment = 'Comment',
  /** The raw text of an expression (`if`, `when`, `respond`, …), read as a whole by {@link Lexer.scanExpression}. */
  Expression = 'Expression',
  EOF = '<EOF>',
}

/**
 * A token: its kind, its text and where it is. Structurally a {@link Span}
 * (not a subclass: V8 builds a flat class's instances faster, and the lexer
 * makes one per token).
 */
export class Token implements Span {
  constructor(
    readonly kind: TokenKind,
    /** Decoded value for strings, raw text otherwise. */
    readonly value: string,
    /** For strings: the source text between the quotes, escapes as written. */
    readonly raw: string | undefined,
    readonly line: number,
    readonly column: number,
    readonly offset: number,
    readonly endLine: number,
    readonly endColumn: number,
    readonly endOffset: number,
  ) {}

  get start(): Location {
    return { line: this.line, column: this.column, offset: this.offset };
  }

  get end(): Location {
    return { line: this.endLine, column: this.endColumn, offset: this.endOffset };
  }
}

/** How a token reads in an error message: `"}"`, `<EOF>`, `String "abc"`. */
export function describeToken(token: Token): string {
  switch (token.kind) {
    case TokenKind.EOF:
      return '<EOF>';
    case TokenKind.String:
      return `String "${token.value.length > 30 ? `${token.value.slice(0, 30)}…` : token.value}"`;
    case TokenKind.Identifier:
    case TokenKind.Number:
    case TokenKind.Expression:
      return `${token.kind} "${token.value}"`;
    default:
      return `"${token.kind}"`;
  }
}
