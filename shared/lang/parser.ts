/**
 * The IntentLang parser: a recursive-descent parser with one method per
 * grammar rule. The language is uniform (every statement is an entry: key,
 * values, optional call, optional block); how many values an entry takes
 * comes from the block's schema, which lets short blocks sit on one line
 * (`memory { strategy "summary" max_messages 30 }`). On a syntax error the
 * parser skips to the next line or closing brace and continues, so one run
 * reports every error.
 */
import { Lexer } from './lexer.js';
import { Span, TokenKind, type Token } from './tokens.js';
import { syntaxError, type Diagnostic } from './diagnostic.js';
import type { Body, Entry, FileNode, Value } from './ast.js';
import { ValueNode } from './value-nodes.js';
import { BodyNode, EntryNode } from './entry-node.js';
import type { LineTable } from './line-table.js';
import { childContext, specOf, type Ctx } from './schema.js';

/** Largest accepted source, in bytes. */
export const MAX_SOURCE_BYTES = 5 * 1024 * 1024;

export interface ParseResult {
  file: FileNode;
  diagnostics: Diagnostic[];
}

/** Parses `source`; never throws on bad input, reports diagnostics instead. */
export function parse(source: string, file: string): ParseResult {
  if (source.length > MAX_SOURCE_BYTES || Buffer.byteLength(source, 'utf8') > MAX_SOURCE_BYTES) {
    return {
      file: { entries: [], closing: [], range: new Span(1, 1, 0, 1, 1, 0) },
      diagnostics: [
        { severity: 'error', message: `Input is larger than ${MAX_SOURCE_BYTES / 1024 / 1024} MiB.`, file, line: 1, column: 1, code: 'input' },
      ],
    };
  }
  const lexer = new Lexer(source, file);
  const parser = new Parser(lexer, file);
  const node = parser.parseFile();
  // The parser stops only at <EOF>; draining is a no-op that guarantees every lexical diagnostic is collected.
  while (lexer.next().kind !== TokenKind.EOF);
  return { file: node, diagnostics: [...lexer.diagnostics, ...parser.diagnostics] };
}

class SyntaxStop extends Error {}

/** The one empty list shared by every entry without values or comments (frozen: a stray push fails loudly). */
const NONE: never[] = Object.freeze([]) as never[];

/**
 * The items of `stack` from `base` on, as a list whose backing store fits
 * them, and the stack cut back to `base`. Lists are built on one stack per
 * parser: V8 grows a fresh pushed-to array to 16 slots at once, and the tree's
 * many short lists outlive the parse, so each would carry that slack (and a
 * throw-away array per list would be garbage).
 */
function take<T>(stack: T[], base: number): T[] {
  if (stack.length === base) return NONE;
  const list = stack.slice(base);
  stack.length = base;
  return list;
}

/** Deepest accepted block nesting (the language needs four); guards the recursion. */
const MAX_DEPTH = 32;

function isValueStart(t: Token): boolean {
  return t.kind === TokenKind.String || t.kind === TokenKind.Number || t.kind === TokenKind.Identifier || t.kind === TokenKind.LBracket;
}

/** Whether a field or variable whose values so far are `args[base..]` takes `next` too. */
function fieldAccepts(args: Value[], base: number, next: Token): boolean {
  const count = args.length - base;
  if (count === 0) return true;
  const first = args[base]!;
  const last = args[args.length - 1]!;
  if (count === 1 && first.type === 'ident' && first.value === 'list') return true;
  if (last.type === 'ident' && last.value === 'default' && count > 1) return true;
  return next.kind === TokenKind.Identifier && (next.value === 'required' || next.value === 'default');
}

class Parser {
  readonly diagnostics: Diagnostic[] = [];
  /** Values and entries of the lists being built (see {@link take}). */
  private readonly values: Value[] = [];
  private readonly entries: Entry[] = [];
  private pos = 0;
  private current: Token;
  private prev: Token;
  private commentIndex = 0;
  private depth = 0;
  /** Grows as the lexer goes; every comment before the current token is in it. */
  private readonly comments: Token[];
  /** Line starts, filled by the lexer; nodes locate themselves through it. */
  private readonly lines: LineTable;

  constructor(
    private readonly lexer: Lexer,
    private readonly file: string,
  ) {
    this.comments = lexer.comments;
    this.lines = lexer.lines;
    this.current = lexer.next();
    this.prev = this.current;
  }

  private get token(): Token {
    return this.current;
  }

  private advance(): Token {
    const t = this.current;
    if (t.kind !== TokenKind.EOF) {
      this.pos++;
      this.current = this.lexer.next();
    }
    this.prev = t;
    return t;
  }

  private sameLine(t: Token): boolean {
    return this.pos > 0 && t.line === this.prev.endLine;
  }

  private fail(expected: string, hint?: string): never {
    this.diagnostics.push(syntaxError(this.file, expected, this.token, hint));
    throw new SyntaxStop();
  }

  private expect(kind: TokenKind): Token {
    if (this.token.kind !== kind) this.fail(`"${kind}"`);
    return this.advance();
  }

  private takeComments(beforeOffset: number): Token[] {
    const from = this.commentIndex;
    while (this.commentIndex < this.comments.length && this.comments[this.commentIndex]!.offset < beforeOffset) this.commentIndex++;
    // Most entries have no comment: they share one empty list.
    return from === this.commentIndex ? NONE : this.comments.slice(from, this.commentIndex);
  }

  private takeTrailing(last: Token): Token | undefined {
    const c = this.comments[this.commentIndex];
    if (c && c.line === last.endLine && c.offset >= last.endOffset) {
      this.commentIndex++;
      return c;
    }
    return undefined;
  }

  /** Skips to the next line (at the same nesting depth) or to the closing brace of the current block. */
  private recover(from: Token): void {
    let depth = 0;
    while (this.token.kind !== TokenKind.EOF) {
      const t = this.token;
      if (depth === 0 && t.kind === TokenKind.RBrace) return;
      if (depth === 0 && t.line > from.line && t !== from) return;
      if (t.kind === TokenKind.LBrace) depth++;
      if (t.kind === TokenKind.RBrace) depth--;
      this.advance();
    }
  }

  /** File := Entry* <EOF> */
  parseFile(): FileNode {
    const first = this.token;
    const entries = this.parseEntries('root');
    if (this.token.kind !== TokenKind.EOF) {
      // A stray "}" at the top level.
      this.diagnostics.push(syntaxError(this.file, 'a statement', this.token));
    }
    const closing = this.takeComments(Number.POSITIVE_INFINITY);
    return { entries, closing, range: Span.between(first, this.token) };
  }

  /** Entries := Entry* (until "}" or <EOF>) */
  private parseEntries(ctx: Ctx): Entry[] {
    const entries = this.entries;
    const base = entries.length;
    for (;;) {
      while (ctx === 'root' && this.token.kind === TokenKind.RBrace) {
        this.diagnostics.push(syntaxError(this.file, 'a statement', this.token, 'this "}" closes no block'));
        this.advance();
      }
      if (this.token.kind === TokenKind.EOF || this.token.kind === TokenKind.RBrace) return take(entries, base);
      const at = this.token;
      const mark = entries.length;
      const valuesMark = this.values.length;
      try {
        const entry = this.parseEntry(ctx);
        entries.push(entry);
      } catch (error) {
        if (!(error instanceof SyntaxStop)) throw error;
        // Drop what the failed entry had started to build.
        entries.length = mark;
        this.values.length = valuesMark;
        this.recover(at);
        if (this.token === at) this.advance();
      }
    }
  }

  /** Entry := Key Value* ( "(" Value ")" )? Body?   — Key := Identifier | String (in maps) */
  private parseEntry(ctx: Ctx): Entry {
    const leading = this.takeComments(this.token.offset);
    const keyToken = this.token;
    if (keyToken.kind !== TokenKind.Identifier && !(ctx === 'map' && keyToken.kind === TokenKind.String)) {
      this.fail(ctx === 'root' ? 'a statement' : 'an attribute name');
    }
    this.advance();
    const key = keyToken.value;
    const base = this.values.length;
    while (isValueStart(this.token) && this.sameLine(this.token) && this.accepts(ctx, key, base, this.token)) {
      const value = this.parseValue();
      this.values.push(value);
    }
    const args = take(this.values, base);
    const entry = EntryNode.fromKey(keyToken, args, leading, this.lines);
    if (this.token.kind === TokenKind.LParen && this.sameLine(this.token)) {
      entry.call = this.parseCall();
    }
    if (this.token.kind === TokenKind.LBrace && this.sameLine(this.token)) {
      entry.body = this.parseBody(childContext(ctx, key, args));
    }
    if (ctx === 'root' && this.token.kind !== TokenKind.EOF && this.sameLine(this.token)) {
      this.fail('the end of the line');
    }
    entry.endOffset = this.prev.endOffset;
    const trailing = this.takeTrailing(this.prev);
    if (trailing) entry.trailing = trailing;
    return entry;
  }

  /** Call := "(" Value ")" */
  private parseCall(): Value {
    this.expect(TokenKind.LParen);
    if (!isValueStart(this.token) || this.token.kind === TokenKind.LBracket) this.fail('a name');
    const value = this.parseValue();
    this.expect(TokenKind.RParen);
    return value;
  }

  /** Body := "{" Entries "}" */
  private parseBody(ctx: Ctx): Body {
    if (this.depth >= MAX_DEPTH) this.fail('an attribute', `blocks nest at most ${MAX_DEPTH} deep`);
    const open = this.expect(TokenKind.LBrace);
    this.depth++;
    let entries: Entry[];
    try {
      entries = this.parseEntries(ctx);
    } finally {
      this.depth--;
    }
    const closing = this.takeComments(this.token.offset);
    if (this.token.kind !== TokenKind.RBrace) {
      this.diagnostics.push(syntaxError(this.file, '"}"', this.token, `the block opened at line ${open.line} is not closed`));
      return new BodyNode(entries, closing, open.offset, this.token.endOffset, this.lines);
    }
    const close = this.advance();
    return new BodyNode(entries, closing, open.offset, close.endOffset, this.lines);
  }

  /** Value := String | Number | Identifier | List */
  private parseValue(): Value {
    const t = this.token;
    switch (t.kind) {
      case TokenKind.String:
        this.advance();
        return ValueNode.string(t, this.lines);
      case TokenKind.Number:
        this.advance();
        return ValueNode.number(t, this.lines);
      case TokenKind.Identifier:
        this.advance();
        return t.value === 'true' || t.value === 'false' ? ValueNode.bool(t, this.lines) : ValueNode.ident(t, this.lines);
      case TokenKind.LBracket:
        return this.parseList();
      default:
        return this.fail('a value');
    }
  }

  /** List := "[" ( Value ","? )* "]" */
  private parseList(): Value {
    const open = this.expect(TokenKind.LBracket);
    const base = this.values.length;
    while (this.token.kind !== TokenKind.RBracket) {
      if (this.token.kind === TokenKind.LBracket || !isValueStart(this.token)) this.fail('a list item or "]"');
      const item = this.parseValue();
      this.values.push(item);
      if (this.token.kind === TokenKind.Comma) this.advance();
    }
    const close = this.advance();
    return ValueNode.list(take(this.values, base), open, close, this.lines);
  }

  /** Whether the entry `key` in `ctx`, whose values so far are on the stack from `base`, takes `next` as one more. */
  private accepts(ctx: Ctx, key: string, base: number, next: Token): boolean {
    const count = this.values.length - base;
    switch (ctx) {
      case 'root':
      case 'unknown':
        return true;
      case 'fields':
      case 'variables':
        return fieldAccepts(this.values, base, next);
      case 'map':
      case 'environment':
      case 'overlay':
        return count < 1;
    }
    const spec = specOf(ctx, key);
    if (!spec) return true;
    if (spec.shape === 'tool') {
      const first = this.values[base];
      return count === 0 || (count === 1 && first!.type === 'ident' && first!.value === 'mcp');
    }
    if (spec.shape === 'call') return count < 1;
    if (spec.arity !== undefined) return count < spec.arity;
    if (spec.block) return false;
    return count < 1;
  }
}
