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
import type { FileNode } from './ast.js';
import { E, T, TreeStore, V } from './tree-store.js';
import { fileNode, valueAt } from './tree-views.js';
import { childContext, specOf, type Ctx } from './schema.js';

/** Largest accepted source, in bytes. */
export const MAX_SOURCE_BYTES = 5 * 1024 * 1024;

export interface ParseResult {
  file: FileNode;
  diagnostics: Diagnostic[];
  /**
   * Gives the tree's storage back for the next parse to reuse (much faster
   * for large files than fresh memory). For code that owns the whole use of
   * the tree, like `compile`; the tree must not be read after.
   */
  release(): void;
}

/** Parses `source`; never throws on bad input, reports diagnostics instead. */
export function parse(source: string, file: string): ParseResult {
  if (source.length > MAX_SOURCE_BYTES || Buffer.byteLength(source, 'utf8') > MAX_SOURCE_BYTES) {
    return {
      file: { entries: [], closing: [], range: new Span(1, 1, 0, 1, 1, 0) },
      diagnostics: [{ severity: 'error', message: `Input is larger than ${MAX_SOURCE_BYTES / 1024 / 1024} MiB.`, file, line: 1, column: 1, code: 'input' }],
      release: () => undefined,
    };
  }
  const lexer = new Lexer(source, file);
  const parser = new Parser(lexer, file);
  const node = parser.parseFile();
  // The parser stops only at <EOF>; draining is a no-op that guarantees every lexical diagnostic is collected.
  while (lexer.next().kind !== TokenKind.EOF);
  const store = parser.store;
  return { file: node, diagnostics: [...lexer.diagnostics, ...parser.diagnostics], release: () => store.release() };
}

class SyntaxStop extends Error {}

/** The one empty list shared by every entry without comments (frozen: a stray push fails loudly). */
const NONE: never[] = Object.freeze([]) as never[];

/** Deepest accepted block nesting (the language needs four); guards the recursion. */
const MAX_DEPTH = 32;

function isValueStart(t: Token): boolean {
  return t.kind === TokenKind.String || t.kind === TokenKind.Number || t.kind === TokenKind.Identifier || t.kind === TokenKind.LBracket;
}

/** Whether value row `row` of `store` is the word `word`. */
function isWord(store: TreeStore, row: number, word: string): boolean {
  return store.values.data[row * V.Size + V.Type] === T.Ident && store.payload(row) === word;
}

/** Whether a field or variable whose values so far are rows `args[base..]` takes `next` too. */
function fieldAccepts(store: TreeStore, args: number[], base: number, next: Token): boolean {
  const count = args.length - base;
  if (count === 0) return true;
  if (count === 1 && isWord(store, args[base]!, 'list')) return true;
  if (count > 1 && isWord(store, args[args.length - 1]!, 'default')) return true;
  return next.kind === TokenKind.Identifier && (next.value === 'required' || next.value === 'default');
}

class Parser {
  readonly diagnostics: Diagnostic[] = [];
  /** Rows of the values and entries of the lists being built; each list is copied to the store when complete. */
  private readonly values: number[] = [];
  private readonly entries: number[] = [];
  /** Where the tree goes (see `tree-store.ts`). */
  readonly store: TreeStore;
  private pos = 0;
  private current: Token;
  private prev: Token;
  private commentIndex = 0;
  private depth = 0;
  /** Grows as the lexer goes; every comment before the current token is in it. */
  private readonly comments: Token[];

  constructor(
    private readonly lexer: Lexer,
    private readonly file: string,
  ) {
    this.comments = lexer.comments;
    this.store = new TreeStore(lexer.lines, lexer.sourceLength);
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
    this.parseEntries('root');
    const entries = this.entries.splice(0);
    if (this.token.kind !== TokenKind.EOF) {
      // A stray "}" at the top level.
      this.diagnostics.push(syntaxError(this.file, 'a statement', this.token));
    }
    const closing = this.takeComments(Number.POSITIVE_INFINITY);
    return fileNode(this.store, entries, closing, Span.between(first, this.token));
  }

  /** Entries := Entry* (until "}" or <EOF>); leaves their rows on the entry stack. */
  private parseEntries(ctx: Ctx): void {
    const entries = this.entries;
    for (;;) {
      while (ctx === 'root' && this.token.kind === TokenKind.RBrace) {
        this.diagnostics.push(syntaxError(this.file, 'a statement', this.token, 'this "}" closes no block'));
        this.advance();
      }
      if (this.token.kind === TokenKind.EOF || this.token.kind === TokenKind.RBrace) return;
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
  private parseEntry(ctx: Ctx): number {
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
    const store = this.store;
    const child =
      this.token.kind === TokenKind.LBrace
        ? childContext(
            ctx,
            key,
            this.values.slice(base).map((row) => valueAt(store, row)),
          )
        : ctx;
    const entry = store.addEntry(key, keyToken.offset, keyToken.endOffset, this.values, base);
    if (keyToken.kind === TokenKind.String) store.rareOf(entry).keyQuoted = true;
    if (keyToken.endOffset !== keyToken.offset + key.length) store.rareOf(entry).keyEndOffset = keyToken.endOffset;
    if (leading.length > 0) store.rareOf(entry).leading = leading;
    if (this.token.kind === TokenKind.LParen && this.sameLine(this.token)) {
      store.setEntry(entry, E.Call, this.parseCall());
    }
    if (this.token.kind === TokenKind.LBrace && this.sameLine(this.token)) {
      store.setEntry(entry, E.Body, this.parseBody(child));
    }
    if (ctx === 'root' && this.token.kind !== TokenKind.EOF && this.sameLine(this.token)) {
      this.fail('the end of the line');
    }
    store.setEntry(entry, E.End, this.prev.endOffset);
    const trailing = this.takeTrailing(this.prev);
    if (trailing) store.rareOf(entry).trailing = trailing;
    return entry;
  }

  /** Call := "(" Value ")" */
  private parseCall(): number {
    this.expect(TokenKind.LParen);
    if (!isValueStart(this.token) || this.token.kind === TokenKind.LBracket) this.fail('a name');
    const value = this.parseValue();
    this.expect(TokenKind.RParen);
    return value;
  }

  /** Body := "{" Entries "}" */
  private parseBody(ctx: Ctx): number {
    if (this.depth >= MAX_DEPTH) this.fail('an attribute', `blocks nest at most ${MAX_DEPTH} deep`);
    const open = this.expect(TokenKind.LBrace);
    const base = this.entries.length;
    this.depth++;
    try {
      this.parseEntries(ctx);
    } finally {
      this.depth--;
    }
    const closing = this.takeComments(this.token.offset);
    let end: number;
    if (this.token.kind !== TokenKind.RBrace) {
      this.diagnostics.push(syntaxError(this.file, '"}"', this.token, `the block opened at line ${open.line} is not closed`));
      end = this.token.endOffset;
    } else {
      end = this.advance().endOffset;
    }
    const body = this.store.addBody(this.entries, base, open.offset, end);
    if (closing.length > 0) this.store.closing.set(body, closing);
    return body;
  }

  /** Value := String | Number | Identifier | List */
  private parseValue(): number {
    const t = this.token;
    switch (t.kind) {
      case TokenKind.String:
        this.advance();
        return this.store.addToken(T.String, t);
      case TokenKind.Number:
        this.advance();
        return this.store.addToken(T.Number, t);
      case TokenKind.Identifier:
        this.advance();
        return this.store.addToken(t.value === 'true' || t.value === 'false' ? T.Bool : T.Ident, t);
      case TokenKind.LBracket:
        return this.parseList();
      default:
        return this.fail('a value');
    }
  }

  /** List := "[" ( Value ","? )* "]" */
  private parseList(): number {
    const open = this.expect(TokenKind.LBracket);
    const base = this.values.length;
    while (this.token.kind !== TokenKind.RBracket) {
      if (this.token.kind === TokenKind.LBracket || !isValueStart(this.token)) this.fail('a list item or "]"');
      const item = this.parseValue();
      this.values.push(item);
      if (this.token.kind === TokenKind.Comma) this.advance();
    }
    const close = this.advance();
    return this.store.addList(this.values, base, open.offset, close.endOffset);
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
        return fieldAccepts(this.store, this.values, base, next);
      case 'map':
      case 'environment':
      case 'overlay':
        return count < 1;
      default:
        break; // a statement's block: its attribute table decides below
    }
    const spec = specOf(ctx, key);
    if (!spec) return true;
    if (spec.shape === 'tool') {
      return count === 0 || (count === 1 && isWord(this.store, this.values[base]!, 'mcp'));
    }
    if (spec.shape === 'call') return count < 1;
    if (spec.arity !== undefined) return count < spec.arity;
    if (spec.block) return false;
    return count < 1;
  }
}
