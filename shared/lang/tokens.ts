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
  EOF = '<EOF>',
}

export interface Token extends Range {
  kind: TokenKind;
  /** Decoded value for strings, raw text otherwise. */
  value: string;
  /** For strings: the source text between the quotes, escapes as written. */
  raw?: string;
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
      return `${token.kind} "${token.value}"`;
    default:
      return `"${token.kind}"`;
  }
}
