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
  return (
    t.kind === TokenKind.String ||
    t.kind === TokenKind.Number ||
    t.kind === TokenKind.Identifier ||
    t.kind === TokenKind.LBracket ||
    t.kind === TokenKind.Expression
  );
}

type ExprStop = 'brace' | 'line' | 'item' | 'rule';

/** Words of an eval `case` that each take one value (`scoring` may be followed by `threshold`). */
const CASE_WORDS = new Set(['input', 'expect', 'scoring', 'threshold', 'tags']);

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

/** Whether a `config` parameter (`name type [required] [secret] [default v] ["description"]`) takes `next`. */
function configAccepts(store: TreeStore, args: number[], base: number, next: Token): boolean {
  const count = args.length - base;
  if (count === 0) return true;
  if (isWord(store, args[args.length - 1]!, 'default')) return true;
  if (next.kind === TokenKind.Identifier) return next.value === 'required' || next.value === 'secret' || next.value === 'default';
  return next.kind === TokenKind.String;
}

/** Whether a validate `rule` (`rule name severity [max_retries n] "message" when <expr>`) takes `next`. */
function ruleAccepts(store: TreeStore, args: number[], base: number, next: Token): boolean {
  const count = args.length - base;
  if (count < 2) return true;
  const last = args[args.length - 1]!;
  if (isWord(store, last, 'max_retries') || isWord(store, last, 'when')) return true;
  if (next.kind === TokenKind.Identifier) return next.value === 'when' || (count === 2 && next.value === 'max_retries');
  return next.kind === TokenKind.String;
}

/** Whether an eval `case` (`case name input "…" expect "…" scoring m [threshold t] tags […]`) takes `next` after its name: words and their values alternate. */
function caseAccepts(args: number[], base: number, next: Token): boolean {
  const wordPending = (args.length - base - 1) % 2 === 1;
  return wordPending || (next.kind === TokenKind.Identifier && CASE_WORDS.has(next.value));
}

/** How many values a control-flow statement takes: `use skill s [with]`, `delegate to a`, `respond x`, `if c`, `else [if c]`, `for each x in c`. */
function flowArity(key: string, store: TreeStore, args: number[], base: number): number {
  switch (key) {
    case 'use':
      return 3;
    case 'delegate':
      return 2;
    case 'else':
      return args.length > base && isWord(store, args[base]!, 'if') ? 2 : 1;
    case 'for':
      return 4;
    default:
      return 1;
  }
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

  /** Moves past the current token; with `expression`, what follows is read as one expression (see `Lexer.scanExpression`). */
  private advance(expression?: ExprStop): Token {
    const t = this.current;
    if (t.kind !== TokenKind.EOF) {
      this.pos++;
      this.current = expression ? this.lexer.scanExpression(expression) : this.lexer.next();
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
      if (ctx === 'with' && this.token.kind === TokenKind.Comma) {
        // `with { a: x, b: y }`: the comma after each value
        this.advance();
        continue;
      }
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
    const key = keyToken.value;
    this.advance(this.expressionAfterKey(ctx, key));
    const base = this.values.length;
    while (isValueStart(this.token) && (this.sameLine(this.token) || this.continues(ctx, key, base, this.token)) && this.accepts(ctx, key, base, this.token)) {
      const value = this.parseValue(this.expressionAfterWord(ctx, key, base, this.token));
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
    // A branch or loop of `on input` may open its block on the next line (`if <condition>` ⏎ `{`), as the original reads it.
    const openerBelow = ctx === 'flow' && (key === 'if' || key === 'else' || key === 'for');
    if (this.token.kind === TokenKind.LBrace && (this.sameLine(this.token) || openerBelow)) {
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

  /**
   * Where an expression follows the key of an entry: `if <expr> {`,
   * `respond <expr>` (a quoted string stays a string), and the value of each
   * `key: <expr>` of a `with { … }` block.
   */
  private expressionAfterKey(ctx: Ctx, key: string): ExprStop | undefined {
    if (ctx === 'flow') {
      if (key === 'if') return 'brace';
      if (key === 'respond' && this.lexer.peekChar() !== 34) return 'line';
      return undefined;
    }
    if (ctx === 'with') {
      if (!this.lexer.skipColon()) this.fail(`":" after "${key}"`, 'write `with { name: <expression> }`');
      return 'item';
    }
    return undefined;
  }

  /** Where an expression follows a word among an entry's values: `when <expr>`, `else if <expr> {`, `for each x in <expr> {`. */
  private expressionAfterWord(ctx: Ctx, key: string, base: number, t: Token): ExprStop | undefined {
    if (t.kind !== TokenKind.Identifier) return undefined;
    const count = this.values.length - base;
    if (ctx === 'validate' && t.value === 'when') return 'rule';
    if (ctx === 'flow' && key === 'else' && count === 0 && t.value === 'if') return 'brace';
    if (ctx === 'flow' && key === 'for' && count === 2 && t.value === 'in') return 'brace';
    return undefined;
  }

  /**
   * Whether a value on a later line still belongs to the entry: the
   * description line of a `config` parameter, the message and `when` lines of
   * a `validate` rule, and the `input`/`expect`/`scoring`/`tags` lines of an
   * `eval` case.
   */
  private continues(ctx: Ctx, key: string, base: number, next: Token): boolean {
    switch (ctx) {
      case 'config':
        return next.kind === TokenKind.String && !this.hasText(base, 1);
      case 'validate':
        return key === 'rule' && ((next.kind === TokenKind.String && !this.hasText(base, 2)) || (next.kind === TokenKind.Identifier && next.value === 'when'));
      case 'eval':
        return key === 'case' && next.kind === TokenKind.Identifier && CASE_WORDS.has(next.value);
      default:
        return false;
    }
  }

  /** Whether the entry's values from `base + from` hold a string that is not the value of a `default`. */
  private hasText(base: number, from: number): boolean {
    const store = this.store;
    for (let i = base + from; i < this.values.length; i++) {
      const row = this.values[i]!;
      if (store.values.data[row * V.Size + V.Type] === T.String && !(i > base && isWord(store, this.values[i - 1]!, 'default'))) return true;
    }
    return false;
  }

  /** Value := String | Number | Identifier | List | Expression */
  private parseValue(expression?: ExprStop): number {
    const t = this.token;
    switch (t.kind) {
      case TokenKind.Expression:
        if (t.value === '') this.fail('an expression');
        this.advance();
        return this.store.addToken(T.Expr, t);
      case TokenKind.String:
        this.advance();
        return this.store.addToken(T.String, t);
      case TokenKind.Number:
        this.advance();
        return this.store.addToken(T.Number, t);
      case TokenKind.Identifier:
        this.advance(expression);
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
      case 'state':
      case 'with':
        return count < 1;
      case 'config':
        return configAccepts(this.store, this.values, base, next);
      case 'validate':
        return ruleAccepts(this.store, this.values, base, next);
      case 'eval':
        return count === 0 || caseAccepts(this.values, base, next);
      case 'flow':
        return flowArity(key, this.store, this.values, base) > count;
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
