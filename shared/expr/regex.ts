/**
 * Regular expressions of `matches`. JavaScript gives a regular expression no
 * time limit, so a pattern is at most MAX_PATTERN_LENGTH characters, may not
 * repeat a group that itself repeats (`(a+)+`, the classic catastrophic
 * backtracking), and runs only on texts up to MAX_MATCH_INPUT_BYTES. A
 * leading `(?i)`, `(?m)` or `(?s)` (Go's inline flags, as expr-lang writes
 * them) becomes the JavaScript flag. Each pattern is compiled once.
 */
import { OperandError } from './errors.js';
import { MAX_MATCH_INPUT_BYTES, MAX_PATTERN_LENGTH } from './limits.js';

const CACHE_SIZE = 256;
const cache = new Map<string, RegExp>();

/** The compiled pattern, from the cache when it was compiled before; throws OperandError when refused. */
export function compilePattern(pattern: string): RegExp {
  const cached = cache.get(pattern);
  if (cached) return cached;
  if (pattern.length > MAX_PATTERN_LENGTH) throw new OperandError(`The regular expression is longer than ${MAX_PATTERN_LENGTH} characters.`);
  const inline = /^\(\?([ims]+)\)/.exec(pattern);
  const body = inline ? pattern.slice(inline[0].length) : pattern;
  const flags = `u${[...new Set(inline?.[1] ?? '')].join('')}`;
  let compiled: RegExp;
  try {
    compiled = new RegExp(body, flags);
  } catch (err) {
    const reason = err instanceof Error ? (/: ([^:]*)$/.exec(err.message)?.[1] ?? 'not valid') : 'not valid';
    throw new OperandError(`Invalid regular expression: ${reason}.`);
  }
  if (nestedRepetition(body)) {
    throw new OperandError(
      'The regular expression repeats a group that itself repeats.',
      'nested repetition such as (a+)+ can take exponential time; repeat the inner part once',
    );
  }
  if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value!);
  cache.set(pattern, compiled);
  return compiled;
}

/** Whether `text` has a match of `pattern` anywhere; refused on texts over the size limit. */
export function matchesPattern(text: string, pattern: string): boolean {
  const regex = compilePattern(pattern);
  if (text.length > MAX_MATCH_INPUT_BYTES || Buffer.byteLength(text, 'utf8') > MAX_MATCH_INPUT_BYTES) {
    throw new OperandError(
      `matches refuses texts over ${MAX_MATCH_INPUT_BYTES / 1024} KB.`,
      'JavaScript regular expressions have no time limit; test a shorter text, or use contains / startsWith',
    );
  }
  return regex.test(text);
}

/**
 * True when a quantified group contains an unbounded or multiple repetition
 * (`*`, `+`, `{n,}`, `{n,m}` with m > 1) that is itself repeated the same way.
 * Reads an already valid pattern: escapes and character classes are skipped.
 */
function nestedRepetition(pattern: string): boolean {
  // For each open group: whether something inside it repeats.
  const open: boolean[] = [];
  let lastGroupRepeats = false; // the group that just closed had a repetition inside
  let afterGroup = false;
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    const quantifier = repeatingQuantifierAt(pattern, i);
    if (quantifier > 0) {
      if (afterGroup && lastGroupRepeats) return true;
      if (open.length > 0) open[open.length - 1] = true;
      i += quantifier - 1;
      afterGroup = false;
      continue;
    }
    afterGroup = false;
    if (ch === '\\') {
      i++;
    } else if (ch === '[') {
      i = classEnd(pattern, i);
    } else if (ch === '(') {
      open.push(false);
    } else if (ch === ')') {
      lastGroupRepeats = open.pop() ?? false;
      if (lastGroupRepeats && open.length > 0) open[open.length - 1] = true;
      afterGroup = true;
    }
  }
  return false;
}

/** The length of a repeating quantifier at `i` (`*`, `+`, `{n,}`, `{n,m}` with m > 1, with a lazy `?`), or 0. */
function repeatingQuantifierAt(pattern: string, i: number): number {
  const ch = pattern[i];
  if (ch === '*' || ch === '+') return pattern[i + 1] === '?' ? 2 : 1;
  if (ch !== '{') return 0;
  const m = /^\{(\d+)(,(\d*))?\}\??/.exec(pattern.slice(i));
  if (!m) return 0;
  const max = m[2] === undefined ? Number(m[1]) : m[3] === '' ? Infinity : Number(m[3]);
  return max > 1 ? m[0].length : 0;
}

/** The index of the `]` closing the character class opened at `start`. */
function classEnd(pattern: string, start: number): number {
  for (let i = start + 1; i < pattern.length; i++) {
    if (pattern[i] === '\\') i++;
    else if (pattern[i] === ']') return i;
  }
  return pattern.length;
}
