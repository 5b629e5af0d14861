/**
 * The tokens of an expression. Names may hold `-` between letters or digits
 * (`knowledge-search` is one name, as in the .ias lexer); strings are
 * double-quoted with the `\n \t \\ \"` escapes, any other backslash pair kept
 * as written (so `"\d+"` reaches a regular expression intact).
 */
import type { ExprError, Span } from './ast.js';

export type Token = Span &
  (
    { kind: 'string'; value: string } | { kind: 'number'; value: number } | { kind: 'word'; value: string } | { kind: 'punct'; value: string } | { kind: 'eof' }
  );

const PUNCT = ['==', '!=', '<=', '>=', '&&', '||', '<', '>', '!', '(', ')', '[', ']', ',', '.'];
const NAME_START = /[\p{L}_]/u;
const NAME_PART = /[\p{L}\p{Nd}_]/u;
const DIGIT = /[0-9]/;
const NUMBER = /-?[0-9]+(\.[0-9]+)?/y;
const ESCAPES: Record<string, string> = { n: '\n', t: '\t', '\\': '\\', '"': '"' };

/** Hints for characters the language does not have. */
const STRAY: Record<string, string> = {
  '=': 'compare with ==',
  '&': 'write and (or &&)',
  '|': 'write or (or ||)',
  "'": 'strings are written in double quotes',
  '`': 'strings are written in double quotes',
  '+': 'expressions have no arithmetic',
  '-': 'expressions have no arithmetic; a - joins words only inside a name (knowledge-search)',
  '*': 'expressions have no arithmetic',
  '/': 'expressions have no arithmetic',
  '%': 'expressions have no arithmetic',
  '{': 'expressions have no map literals',
  '}': 'expressions have no map literals',
};

/** The tokens of `text`, ending with an `eof` token, or the first lexical error. */
export function tokenize(text: string): { tokens: Token[] } | { error: ExprError } {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (/\s/.test(ch)) {
      i++;
    } else if (ch === '"') {
      const read = readString(text, i);
      if ('error' in read) return read;
      tokens.push(read.token);
      i = read.end;
    } else if (DIGIT.test(ch) || (ch === '-' && DIGIT.test(text[i + 1] ?? ''))) {
      NUMBER.lastIndex = i;
      const match = NUMBER.exec(text)![0];
      const after = text[i + match.length] ?? '';
      if (after === '.' || NAME_PART.test(after))
        return { error: { message: 'Malformed number.', offset: i, length: match.length + 1, hint: 'numbers are written 42 or 4.2' } };
      tokens.push({ kind: 'number', value: Number(match), offset: i, length: match.length });
      i += match.length;
    } else if (NAME_START.test(ch) || isAstralLetter(text, i)) {
      const end = nameEnd(text, i);
      tokens.push({ kind: 'word', value: text.slice(i, end), offset: i, length: end - i });
      i = end;
    } else {
      const p = PUNCT.find((op) => text.startsWith(op, i));
      if (p === undefined) {
        const char = String.fromCodePoint(text.codePointAt(i)!);
        const hint = STRAY[char];
        return { error: { message: `Unexpected character ${JSON.stringify(char)}.`, offset: i, length: char.length, ...(hint === undefined ? {} : { hint }) } };
      }
      tokens.push({ kind: 'punct', value: p, offset: i, length: p.length });
      i += p.length;
    }
  }
  tokens.push({ kind: 'eof', offset: text.length, length: 0 });
  return { tokens };
}

/** A letter outside the Basic Multilingual Plane starts a name too. */
function isAstralLetter(text: string, i: number): boolean {
  const cp = text.codePointAt(i)!;
  return cp > 0xffff && NAME_START.test(String.fromCodePoint(cp));
}

/** The end of the name starting at `start`: letters, digits, `_`, and `-` when a name character follows it. */
function nameEnd(text: string, start: number): number {
  let i = start;
  for (;;) {
    const cp = text.codePointAt(i);
    if (cp === undefined) return i;
    const char = String.fromCodePoint(cp);
    if (NAME_PART.test(char)) i += char.length;
    else if (char === '-' && i + 1 < text.length && NAME_PART.test(String.fromCodePoint(text.codePointAt(i + 1)!))) i += 1;
    else return i;
  }
}

function readString(text: string, start: number): { token: Token; end: number } | { error: ExprError } {
  let value = '';
  let i = start + 1;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === '"') return { token: { kind: 'string', value, offset: start, length: i + 1 - start }, end: i + 1 };
    if (ch === '\\' && i + 1 < text.length) {
      const next = text[i + 1]!;
      value += ESCAPES[next] ?? `\\${next}`;
      i += 2;
    } else {
      value += ch;
      i++;
    }
  }
  return { error: { message: 'Unterminated string.', offset: start, length: text.length - start, hint: 'close it with "' } };
}
