/**
 * The IntentLang lexer: turns source text into tokens with locations. Comments
 * are returned on the side (the formatter keeps them); lexical errors become
 * diagnostics and lexing continues.
 */
import { Token, TokenKind } from './tokens.js';
import type { Diagnostic } from './diagnostic.js';
import { LineTable } from './line-table.js';

export interface LexResult {
  tokens: Token[];
  comments: Token[];
  diagnostics: Diagnostic[];
}

/** Punctuation by character code (a flat table is faster than an object lookup per character). */
const PUNCTUATION: (TokenKind | undefined)[] = [];
PUNCTUATION[123] = TokenKind.LBrace;
PUNCTUATION[125] = TokenKind.RBrace;
PUNCTUATION[91] = TokenKind.LBracket;
PUNCTUATION[93] = TokenKind.RBracket;
PUNCTUATION[40] = TokenKind.LParen;
PUNCTUATION[41] = TokenKind.RParen;
PUNCTUATION[44] = TokenKind.Comma;

/** Size of the lexer's table of recent words (a power of two). */
const WORD_SLOTS = 4096;

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', '\\': '\\', '"': '"' };

function isIdentStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}
function isIdentPart(c: number): boolean {
  return isIdentStart(c) || isDigit(c) || c === 45;
}
/** Whether the next non-blank line after `from` goes on with a `when` expression (it neither starts a `rule`, closes the block nor is a comment). */
function continuesRule(source: string, from: number): boolean {
  const m = /^[ \t\r\n]*(\S+)/.exec(source.slice(from, from + 256));
  const word = m?.[1];
  if (word === undefined) return false;
  return !(word.startsWith('}') || word.startsWith('#') || word.startsWith('//') || /^rule(?![A-Za-z0-9_-])/.test(word));
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Splits `source` into tokens (ending with `<EOF>`) and comments. */
export function lex(source: string, file: string): LexResult {
  const lexer = new Lexer(source, file);
  const tokens: Token[] = [];
  for (let t = lexer.next(); ; t = lexer.next()) {
    tokens.push(t);
    if (t.kind === TokenKind.EOF) break;
  }
  return { tokens, comments: lexer.comments, diagnostics: lexer.diagnostics };
}

/**
 * A pull lexer: the parser asks for one token at a time, so tokens it does not
 * keep (punctuation) die young instead of surviving in one large array until
 * parsing ends — that garbage was most of the toolchain's GC time.
 */
export class Lexer {
  readonly comments: Token[] = [];
  readonly diagnostics: Diagnostic[] = [];
  /** Where each line starts, for the locations of syntax-tree nodes. */
  readonly lines: LineTable;
  private offset = 0;
  private line = 1;
  private lineStart = 0;
  private eof: Token | undefined;

  constructor(
    private readonly source: string,
    private readonly file: string,
  ) {
    // Sized for a line per 16 characters (packages measured 17–23); it grows past that.
    this.lines = new LineTable(source.length >> 4);
  }

  /** Length of the source, for sizing what is built from it. */
  get sourceLength(): number {
    return this.source.length;
  }

  /** Recently seen words, in slots by length and first and last character (see {@link Lexer.word}). */
  private readonly words: (string | undefined)[] = new Array<string | undefined>(WORD_SLOTS).fill(undefined);

  /**
   * The text of `source` between `start` and `end`, shared with the last equal
   * word seen in its slot. Attribute names and common values repeat through a
   * package; one string for each keeps the tree that much smaller, and the
   * check compares in place (no slice unless the word is new).
   */
  private word(start: number, end: number): string {
    const { source, words } = this;
    const length = end - start;
    if (length > 40) return source.slice(start, end);
    const slot = (length * 977 + source.charCodeAt(start) * 31 + source.charCodeAt(end - 1)) & (WORD_SLOTS - 1);
    const known = words[slot];
    if (known !== undefined && known.length === length && source.startsWith(known, start)) return known;
    const text = source.slice(start, end);
    words[slot] = text;
    return text;
  }

  private emit(token: Token, offset: number, line: number, lineStart: number): Token {
    this.offset = offset;
    this.line = line;
    this.lineStart = lineStart;
    return token;
  }

  /**
   * Reads the expression that starts after the token last returned, as one
   * {@link TokenKind.Expression} token holding its text (trimmed). Strings
   * and brackets are skipped whole; where it stops depends on `stop`:
   * - `brace`: before the `{` that opens a block (`if`, `for each`), across lines;
   * - `line`: at the end of the line, a comment, or a `}` closing the block;
   * - `item`: as `line`, and before a `,` (the values of `with { … }`);
   * - `rule`: as `line`, but a following line that does not start a new
   *   `rule` or close the block continues the expression (`validate` rules).
   * Returns an empty expression when nothing is there; the parser reports it.
   */
  scanExpression(stop: 'brace' | 'line' | 'item' | 'rule'): Token {
    const { source, lines } = this;
    const n = source.length;
    let offset = this.offset;
    let line = this.line;
    let lineStart = this.lineStart;
    let depth = 0;
    let first = -1;
    let firstLine = line;
    let firstColumn = 1;
    let last = offset;
    let lastLine = line;
    let lastColumn = 1;
    scan: while (offset < n) {
      const c = source.charCodeAt(offset);
      if (c === 10) {
        if (depth === 0 && stop !== 'brace' && !(stop === 'rule' && first >= 0 && continuesRule(source, offset + 1))) break;
        offset++;
        line++;
        lineStart = offset;
        lines.add(offset);
        continue;
      }
      if (c === 32 || c === 9 || c === 13) {
        offset++;
        continue;
      }
      if (depth === 0) {
        if (c === 123 && stop === 'brace') break;
        if (c === 125 || (c === 44 && stop === 'item')) break;
        if (stop !== 'brace' && (c === 35 || (c === 47 && source.charCodeAt(offset + 1) === 47))) break;
      }
      if (first < 0) {
        first = offset;
        firstLine = line;
        firstColumn = offset - lineStart + 1;
      }
      if (c === 40 || c === 91) depth++;
      else if ((c === 41 || c === 93) && depth > 0) depth--;
      else if (c === 34) {
        offset++;
        while (offset < n) {
          const d = source.charCodeAt(offset);
          if (d === 92) offset += 2;
          else if (d === 34 || d === 10) break;
          else offset++;
        }
        if (source.charCodeAt(offset) !== 34) {
          last = offset;
          lastLine = line;
          lastColumn = offset - lineStart + 1;
          break scan;
        }
      }
      offset++;
      last = offset;
      lastLine = line;
      lastColumn = offset - lineStart + 1;
    }
    const start = first < 0 ? offset : first;
    const startLine = first < 0 ? line : firstLine;
    const startColumn = first < 0 ? offset - lineStart + 1 : firstColumn;
    const end = first < 0 ? offset : last;
    const token = new Token(
      TokenKind.Expression,
      source.slice(start, end),
      undefined,
      startLine,
      startColumn,
      start,
      first < 0 ? startLine : lastLine,
      first < 0 ? startColumn : lastColumn,
      end,
    );
    return this.emit(token, offset, line, lineStart);
  }

  /** The next character after spaces and tabs (not line breaks), without consuming anything; -1 at the end. */
  peekChar(): number {
    const { source } = this;
    let offset = this.offset;
    while (source.charCodeAt(offset) === 32 || source.charCodeAt(offset) === 9) offset++;
    return offset < source.length ? source.charCodeAt(offset) : -1;
  }

  /** Consumes spaces and one `:` if it comes next on the line (`with { key: value }`); whether there was one. */
  skipColon(): boolean {
    const { source } = this;
    let offset = this.offset;
    while (source.charCodeAt(offset) === 32 || source.charCodeAt(offset) === 9) offset++;
    if (source.charCodeAt(offset) !== 58) return false;
    this.offset = offset + 1;
    return true;
  }

  /** The next token; `<EOF>` (the same token) once the source is exhausted. */
  next(): Token {
    if (this.eof) return this.eof;
    const { source, file, comments, diagnostics, lines } = this;
    let offset = this.offset;
    let line = this.line;
    let lineStart = this.lineStart;
    const n = source.length;

    while (offset < n) {
      const c = source.charCodeAt(offset);
      if (c === 10) {
        offset++;
        line++;
        lineStart = offset;
        lines.add(offset);
        continue;
      }
      if (c === 32 || c === 9 || c === 13 || c === 0xfeff) {
        offset++;
        continue;
      }
      const startOffset = offset;
      const startLine = line;
      const startColumn = offset - lineStart + 1;
      if (c === 35 || (c === 47 && source.charCodeAt(offset + 1) === 47)) {
        let end = source.indexOf('\n', offset);
        if (end < 0) end = n;
        const text = source.slice(offset, end).replace(/\r$/, '');
        offset = end;
        comments.push(new Token(TokenKind.Comment, text, undefined, line, startColumn, startOffset, line, offset - lineStart + 1, offset));
        continue;
      }
      const punct = c < 128 ? PUNCTUATION[c] : undefined;
      if (punct) {
        offset++;
        return this.emit(new Token(punct, punct, undefined, line, startColumn, startOffset, line, startColumn + 1, offset), offset, line, lineStart);
      }
      if (c === 34) {
        offset++;
        // Fast path: most strings have no escape and no line break, so their
        // value is one slice that doubles as `raw` (no parts array, no join).
        let scan = offset;
        let d = source.charCodeAt(scan);
        while (scan < n && d !== 34 && d !== 92 && d !== 10) d = source.charCodeAt(++scan);
        if (d === 34) {
          const text = this.word(offset, scan);
          offset = scan + 1;
          return this.emit(
            new Token(TokenKind.String, text, text, line, startColumn, startOffset, line, offset - lineStart + 1, offset),
            offset,
            line,
            lineStart,
          );
        }
        const parts: string[] = [];
        let chunk = offset;
        let closed = false;
        while (offset < n) {
          const d = source.charCodeAt(offset);
          if (d === 34) {
            parts.push(source.slice(chunk, offset));
            offset++;
            closed = true;
            break;
          }
          if (d === 92) {
            parts.push(source.slice(chunk, offset));
            const next = source[offset + 1];
            const decoded = next === undefined ? undefined : ESCAPES[next];
            if (decoded === undefined) {
              diagnostics.push({
                severity: 'error',
                message: `Unknown escape "\\${next ?? ''}" in string.`,
                hint: 'use \\n, \\t, \\\\ or \\"',
                file,
                line,
                column: offset - lineStart + 1,
                code: 'syntax',
              });
              if (next !== undefined && next !== '\n') parts.push(next);
            } else {
              parts.push(decoded);
            }
            offset += next === undefined || next === '\n' ? 1 : 2;
            chunk = offset;
            continue;
          }
          if (d === 10) {
            offset++;
            line++;
            lineStart = offset;
            lines.add(offset);
            continue;
          }
          offset++;
        }
        if (!closed) {
          parts.push(source.slice(chunk, offset));
          diagnostics.push({
            severity: 'error',
            message: 'Unterminated string.',
            hint: 'close the string with a double quote (")',
            file,
            line: startLine,
            column: startColumn,
            code: 'syntax',
          });
        }
        const raw = source.slice(startOffset + 1, closed ? offset - 1 : offset);
        return this.emit(
          new Token(TokenKind.String, parts.join(''), raw, startLine, startColumn, startOffset, line, offset - lineStart + 1, offset),
          offset,
          line,
          lineStart,
        );
      }
      if (isDigit(c) || (c === 45 && isDigit(source.charCodeAt(offset + 1)))) {
        let end = offset + 1;
        while (end < n && isDigit(source.charCodeAt(end))) end++;
        if (source[end] === '.' && isDigit(source.charCodeAt(end + 1))) {
          end++;
          while (end < n && isDigit(source.charCodeAt(end))) end++;
        }
        const text = source.slice(offset, end);
        offset = end;
        return this.emit(
          new Token(TokenKind.Number, text, undefined, line, startColumn, startOffset, line, offset - lineStart + 1, offset),
          offset,
          line,
          lineStart,
        );
      }
      if (isIdentStart(c)) {
        let end = offset + 1;
        while (end < n && isIdentPart(source.charCodeAt(end))) end++;
        const text = this.word(offset, end);
        offset = end;
        return this.emit(
          new Token(TokenKind.Identifier, text, undefined, line, startColumn, startOffset, line, offset - lineStart + 1, offset),
          offset,
          line,
          lineStart,
        );
      }
      // Skip a run of unexpected characters and report it once.
      let end = offset + 1;
      while (end < n && !/[\s"{}[\](),#A-Za-z0-9_]/.test(source[end]!)) end++;
      diagnostics.push({
        severity: 'error',
        message: `Unexpected character ${JSON.stringify(source.slice(offset, Math.min(end, offset + 10)))}.`,
        file,
        line: startLine,
        column: startColumn,
        code: 'syntax',
      });
      offset = end;
    }
    const column = offset - lineStart + 1;
    this.eof = this.emit(new Token(TokenKind.EOF, '', undefined, line, column, offset, line, column, offset), offset, line, lineStart);
    return this.eof;
  }
}
