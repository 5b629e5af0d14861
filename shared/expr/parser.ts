/**
 * The parser: expression text to tree, or the first error located in the
 * text. Precedence, loosest first: `or`/`||`, `and`/`&&`, `not`/`!`, then the
 * comparisons and word operators (`== != < <= > >= in contains startsWith
 * endsWith matches`, left to right, each negatable as `a not in b`), then
 * member access, indexing and calls. There is no arithmetic.
 */
import { didYouMean } from '../lang/suggest.js';
import { NEGATABLE, spanOf, type BinaryOperator, type Expr, type ExprError, type Span } from './ast.js';
import { FUNCTIONS } from './functions.js';
import { tokenize, type Token } from './lexer.js';
import { MAX_EXPRESSION_LENGTH, MAX_NESTING, MAX_PATTERN_LENGTH } from './limits.js';
import { compilePattern } from './regex.js';
import { OperandError } from './errors.js';

export type ParseResult = { expr: Expr } | { error: ExprError };

const COMPARISONS = new Set(['==', '!=', '<', '<=', '>', '>=']);
const WORD_OPERATORS = new Set<string>(['in', 'contains', 'startsWith', 'endsWith', 'matches']);
const RESERVED = new Set(['and', 'or', 'not', 'in', 'true', 'false', 'nil']);

class Failure {
  constructor(readonly error: ExprError) {}
}

function fail(span: Span, message: string, hint?: string): never {
  throw new Failure({ message, offset: span.offset, length: span.length, ...(hint === undefined ? {} : { hint }) });
}

/** Parses one expression; the whole text must be that expression. */
export function parseExpression(text: string): ParseResult {
  if (text.length > MAX_EXPRESSION_LENGTH) {
    return {
      error: {
        message: `The expression is longer than ${MAX_EXPRESSION_LENGTH} characters.`,
        offset: MAX_EXPRESSION_LENGTH,
        length: text.length - MAX_EXPRESSION_LENGTH,
      },
    };
  }
  const lexed = tokenize(text);
  if ('error' in lexed) return lexed;
  try {
    const parser = new Parser(lexed.tokens);
    if (parser.peek().kind === 'eof') fail(parser.peek(), 'Expected an expression, found the end of it.');
    const expr = parser.parseOr();
    const rest = parser.peek();
    if (rest.kind !== 'eof') fail(rest, `Unexpected ${describe(rest)} after a complete expression.`, hintAfter(rest));
    return { expr };
  } catch (err) {
    if (err instanceof Failure) return { error: err.error };
    throw err;
  }
}

function describe(token: Token): string {
  switch (token.kind) {
    case 'eof':
      return 'the end of the expression';
    case 'string':
      return 'string';
    case 'number':
      return 'number';
    default:
      return `"${token.value}"`;
  }
}

function hintAfter(token: Token): string | undefined {
  if (token.kind === 'word' && token.value === 'not') return 'negate an operator as a not in b, or a whole comparison as not (a == b)';
  if (token.kind === 'punct' && token.value === ')') return 'this ) closes no (';
  return 'join conditions with and / or';
}

class Parser {
  private pos = 0;
  private depth = 0;

  constructor(private readonly tokens: Token[]) {}

  peek(offset = 0): Token {
    return this.tokens[Math.min(this.pos + offset, this.tokens.length - 1)]!;
  }

  private next(): Token {
    const token = this.peek();
    if (token.kind !== 'eof') this.pos++;
    return token;
  }

  private isPunct(value: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t.kind === 'punct' && t.value === value;
  }

  private isWord(value: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t.kind === 'word' && t.value === value;
  }

  /** The closing bracket `value`, or an error pointing back at the `opener` it closes. */
  private expectClosing(value: ')' | ']', opener: Span): Token {
    const t = this.peek();
    if (t.kind === 'punct' && t.value === value) return this.next();
    return fail(t, `Expected "${value}", found ${describe(t)}.`, `to close the "${value === ')' ? '(' : '['}" at offset ${opener.offset}`);
  }

  /** Runs `body` one nesting level deeper, refusing past MAX_NESTING. */
  private nested<T>(at: Span, body: () => T): T {
    if (++this.depth > MAX_NESTING) fail(at, `The expression nests more than ${MAX_NESTING} levels deep.`);
    try {
      return body();
    } finally {
      this.depth--;
    }
  }

  parseOr(): Expr {
    return this.parseLogical('or', '||', () => this.parseAnd());
  }

  private parseAnd(): Expr {
    return this.parseLogical('and', '&&', () => this.parseNot());
  }

  /** A left-to-right chain of `op` (or its symbol alias) between operands read by `operand`. */
  private parseLogical(op: 'and' | 'or', alias: string, operand: () => Expr): Expr {
    let left = operand();
    while (this.isWord(op) || this.isPunct(alias)) {
      this.next();
      const right = operand();
      left = { kind: 'logical', op, left, right, ...spanOf(left, right) };
    }
    return left;
  }

  private parseNot(): Expr {
    if (this.isWord('not') || this.isPunct('!')) {
      const op = this.next();
      const operand = this.nested(op, () => this.parseNot());
      return { kind: 'not', operand, ...spanOf(op, operand) };
    }
    return this.parseComparison();
  }

  private parseComparison(): Expr {
    let left = this.parsePostfix();
    for (;;) {
      const t = this.peek();
      let op: BinaryOperator;
      let negated = false;
      if (t.kind === 'punct' && COMPARISONS.has(t.value)) {
        op = t.value as BinaryOperator;
      } else if (t.kind === 'word' && WORD_OPERATORS.has(t.value)) {
        op = t.value as BinaryOperator;
      } else if (
        t.kind === 'word' &&
        t.value === 'not' &&
        this.peek(1).kind === 'word' &&
        NEGATABLE.has((this.peek(1) as { value: string }).value as BinaryOperator)
      ) {
        this.next();
        op = (this.peek() as { value: string }).value as BinaryOperator;
        negated = true;
      } else {
        return left;
      }
      this.next();
      const right = this.parsePostfix();
      if (op === 'matches' && right.kind === 'literal' && typeof right.value === 'string') checkPattern(right, right.value);
      left = { kind: 'binary', op, negated, left, right, ...spanOf(left, right) };
    }
  }

  private parsePostfix(): Expr {
    let expr = this.parsePrimary();
    for (;;) {
      if (this.isPunct('.')) {
        this.next();
        const name = this.next();
        if (name.kind !== 'word') fail(name, `Expected a name after ".", found ${describe(name)}.`);
        expr = { kind: 'member', object: expr, property: name.value, ...spanOf(expr, name) };
      } else if (this.isPunct('[')) {
        const open = this.next();
        const index = this.nested(open, () => this.parseOr());
        const close = this.expectClosing(']', open);
        expr = { kind: 'index', object: expr, index, ...spanOf(expr, close) };
      } else {
        return expr;
      }
    }
  }

  private parsePrimary(): Expr {
    const t = this.next();
    switch (t.kind) {
      case 'string':
      case 'number':
        return { kind: 'literal', value: t.value, offset: t.offset, length: t.length };
      case 'eof':
        return fail(t, 'Expected a value, found the end of the expression.');
      case 'punct':
        if (t.value === '(') {
          const inner = this.nested(t, () => this.parseOr());
          const close = this.expectClosing(')', t);
          return { ...inner, ...spanOf(t, close) };
        }
        if (t.value === '[') return this.parseList(t);
        if (t.value === '!') return fail(t, 'Expected a value, found "!".', 'a negation inside a comparison needs parentheses: a == (!b)');
        return fail(t, `Expected a value, found "${t.value}".`);
      case 'word':
        if (this.isPunct('(')) return this.parseCall(t);
        if (t.value === 'true' || t.value === 'false') return { kind: 'literal', value: t.value === 'true', offset: t.offset, length: t.length };
        if (t.value === 'nil') return { kind: 'literal', value: null, offset: t.offset, length: t.length };
        if (t.value === 'not') return fail(t, 'Expected a value, found "not".', 'a negation inside a comparison needs parentheses: a == (not b)');
        if (RESERVED.has(t.value)) return fail(t, `Expected a value, found the operator "${t.value}".`);
        if (FUNCTIONS.has(t.value)) {
          const infix = WORD_OPERATORS.has(t.value) ? `, or write a ${t.value} b` : '';
          return fail(t, `"${t.value}" is a function, called with arguments.`, `call it as ${FUNCTIONS.get(t.value)!.signature}${infix}`);
        }
        return { kind: 'variable', name: t.value, offset: t.offset, length: t.length };
    }
  }

  private parseList(open: Token): Expr {
    const items: Expr[] = [];
    return this.nested(open, () => {
      while (!this.isPunct(']')) {
        items.push(this.parseOr());
        if (!this.isPunct(',')) break;
        this.next();
      }
      const close = this.expectClosing(']', open);
      return { kind: 'list', items, ...spanOf(open, close) };
    });
  }

  private parseCall(name: Token & { kind: 'word' }): Expr {
    const spec = FUNCTIONS.get(name.value);
    if (!spec) {
      const suggestion = didYouMean(name.value, FUNCTIONS.keys());
      fail(name, `Unknown function "${name.value}".`, suggestion ?? `the functions are ${[...FUNCTIONS.keys()].join(', ')}`);
    }
    const open = this.next();
    const args: Expr[] = [];
    const close = this.nested(open, () => {
      while (!this.isPunct(')')) {
        args.push(this.parseOr());
        if (!this.isPunct(',')) break;
        this.next();
      }
      return this.expectClosing(')', open);
    });
    const span = spanOf(name, close);
    if (args.length < spec.min || args.length > spec.max) {
      const count = spec.min === spec.max ? `${spec.min}` : `${spec.min} or ${spec.max}`;
      fail(span, `${name.value} takes ${count} argument${spec.max === 1 ? '' : 's'}, not ${args.length}.`, `call it as ${spec.signature}`);
    }
    const pattern = args[1];
    if (name.value === 'matches' && pattern?.kind === 'literal' && typeof pattern.value === 'string') checkPattern(pattern, pattern.value);
    return { kind: 'call', name: name.value, args, ...span };
  }
}

/** A literal `matches` pattern is compiled now, so a bad one is an error of the package, not of a request. */
function checkPattern(at: Span, pattern: string): void {
  if (pattern.length > MAX_PATTERN_LENGTH) fail(at, `The regular expression is longer than ${MAX_PATTERN_LENGTH} characters.`);
  try {
    compilePattern(pattern);
  } catch (err) {
    if (err instanceof OperandError) fail(at, err.message, err.hint);
    throw err;
  }
}
