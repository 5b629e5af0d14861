/**
 * Regular expressions of `matches` and of guardrail `patterns`, run by RE2
 * (the re2js port): matching takes time linear in the text whatever the
 * pattern, and the syntax is RE2's, the same as Go's `regexp` that the
 * original toolchain uses (no lookaround, no backreferences; inline flags
 * such as `(?i)` are native). A pattern is at most MAX_PATTERN_LENGTH
 * characters and may not repeat a group that itself repeats (`(a+)+`: such a
 * pattern says nothing a simpler one does not, and would be catastrophic in a
 * backtracking engine); `matches` runs on texts up to MAX_MATCH_INPUT_BYTES.
 * Each pattern is compiled once.
 */
import { RE2JS } from 're2js';
import { OperandError } from './errors.js';
import { MAX_MATCH_INPUT_BYTES, MAX_PATTERN_LENGTH } from './limits.js';

/** A compiled pattern. */
export interface Matcher {
  /** whether the pattern matches anywhere in `text` */
  test(text: string): boolean;
}

const CACHE_SIZE = 256;
const cache = new Map<string, Matcher>();

/** The compiled pattern, from the cache when it was compiled before; throws OperandError when refused. */
export function compilePattern(pattern: string): Matcher {
  const cached = cache.get(pattern);
  if (cached) return cached;
  if (pattern.length > MAX_PATTERN_LENGTH) throw new OperandError(`The regular expression is longer than ${MAX_PATTERN_LENGTH} characters.`);
  let compiled: Matcher;
  try {
    compiled = RE2JS.compile(pattern);
  } catch (err) {
    // RE2 quotes the offending part of the pattern; a pattern may come from a secret value, so only the reason is kept
    const reason = err instanceof Error ? (/^error parsing regexp: ([^:`]+)/.exec(err.message)?.[1]?.trim() ?? 'not valid') : 'not valid';
    throw new OperandError(`Invalid regular expression: ${reason}.`);
  }
  if (nestedRepetition(pattern)) {
    throw new OperandError(
      'The regular expression repeats a group that itself repeats.',
      'nested repetition such as (a+)+ adds nothing to its inner part repeated once, and takes exponential time in backtracking engines; repeat the inner part once',
    );
  }
  if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value!);
  cache.set(pattern, compiled);
  return compiled;
}

/**
 * The compiled pattern, or the reason it is refused (invalid RE2 syntax, too
 * long, nested repetition): for checks that report rather than throw, such as
 * the language validator's check of guardrail patterns.
 */
export function tryCompilePattern(pattern: string): Matcher | string {
  try {
    return compilePattern(pattern);
  } catch (err) {
    if (err instanceof OperandError) return err.message;
    throw err;
  }
}

/** Whether `text` has a match of `pattern` anywhere; refused on texts over the size limit. */
export function matchesPattern(text: string, pattern: string): boolean {
  const regex = compilePattern(pattern);
  if (text.length > MAX_MATCH_INPUT_BYTES || Buffer.byteLength(text, 'utf8') > MAX_MATCH_INPUT_BYTES) {
    throw new OperandError(
      `matches refuses texts over ${MAX_MATCH_INPUT_BYTES / 1024} KB.`,
      'a request has no time limit of its own and matching takes time in proportion to the text; test a shorter text, or use contains / startsWith',
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
