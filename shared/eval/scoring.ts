/**
 * The scoring methods of `eval` cases. Each gives a score in 0..1; a case
 * passes when its score reaches its threshold.
 *
 * - `exact`: 1 when the answer equals `expect`, ignoring case and surrounding
 *   whitespace; else 0.
 * - `contains`: 1 when `expect` occurs in the answer (ignoring case); else the
 *   share of `expect`'s words that occur as words of the answer.
 * - `regex`: `expect` is a JavaScript regular expression; 1 when it matches
 *   the answer, else 0.
 * - `semantic`: without a judge, the word overlap of answer and `expect`
 *   (Jaccard: shared words / all distinct words, lower-cased, punctuation
 *   ignored), which is deterministic and blind to meaning; with a judge (live
 *   runs), the judge's 0..1 rating of how far the answer means what `expect`
 *   says.
 * - `custom`: `expect` is an expression over `input`, `output` and `expect`;
 *   true/false score 1/0, a number in 0..1 is the score.
 */
import { AgentSpecError, ErrorCode } from '../errors.js';

export const SCORING_METHODS = ['exact', 'contains', 'semantic', 'regex', 'custom'] as const;
export type ScoringMethod = (typeof SCORING_METHODS)[number];

export interface ScoreInput {
  input: string;
  output: string;
  expect: string;
}

export interface ScoreOptions {
  /** rates the meaning of `output` against `expect` 0..1 (live `semantic`) */
  judge?: (args: ScoreInput, signal: AbortSignal) => Promise<number>;
  /** evaluates a `custom` expression over `{input, output, expect}` */
  evaluate?: (expression: string, env: ScoreInput) => unknown;
  signal?: AbortSignal;
}

const MAX_PATTERN = 512;
const MAX_REGEX_SUBJECT = 100 * 1024;

export function isScoringMethod(method: string): method is ScoringMethod {
  return (SCORING_METHODS as readonly string[]).includes(method);
}

/** Scores one answer. Throws `AgentSpecError` (input_error) for an unknown method or a bad `expect`. */
export async function score(method: string, args: ScoreInput, options: ScoreOptions = {}): Promise<number> {
  if (!isScoringMethod(method)) {
    throw new AgentSpecError(ErrorCode.InputError, `Unknown scoring method "${method}"; use one of ${SCORING_METHODS.join(', ')}.`);
  }
  switch (method) {
    case 'exact':
      return exact(args.output, args.expect);
    case 'contains':
      return contains(args.output, args.expect);
    case 'regex':
      return regex(args.output, args.expect);
    case 'semantic':
      return options.judge
        ? clampScore(await options.judge(args, options.signal ?? new AbortController().signal), 'the judge')
        : wordOverlap(args.output, args.expect);
    case 'custom':
      return custom(args, options.evaluate);
  }
}

export function exact(output: string, expect: string): number {
  return output.trim().toLowerCase() === expect.trim().toLowerCase() ? 1 : 0;
}

export function contains(output: string, expect: string): number {
  if (output.toLowerCase().includes(expect.toLowerCase())) return 1;
  const wanted = words(expect);
  if (wanted.length === 0) return 1;
  const have = new Set(words(output));
  return wanted.filter((w) => have.has(w)).length / wanted.length;
}

export function regex(output: string, pattern: string): number {
  if (pattern.length > MAX_PATTERN) throw new AgentSpecError(ErrorCode.InputError, `A regex expectation is limited to ${MAX_PATTERN} characters.`);
  if (output.length > MAX_REGEX_SUBJECT) {
    throw new AgentSpecError(
      ErrorCode.InputError,
      `regex scoring is refused on answers over ${MAX_REGEX_SUBJECT / 1024} KB (JavaScript regexes have no time limit).`,
    );
  }
  let re: RegExp;
  try {
    re = new RegExp(pattern, 'u');
  } catch (error) {
    throw new AgentSpecError(ErrorCode.InputError, `expect is not a valid regular expression: ${(error as Error).message}`);
  }
  return re.test(output) ? 1 : 0;
}

/** Jaccard similarity of the two texts' word sets; 1 when both have no words. */
export function wordOverlap(output: string, expect: string): number {
  const a = new Set(words(output));
  const b = new Set(words(expect));
  if (a.size === 0 && b.size === 0) return 1;
  let shared = 0;
  for (const w of b) if (a.has(w)) shared++;
  const union = a.size + b.size - shared;
  return union === 0 ? 0 : shared / union;
}

function custom(args: ScoreInput, evaluate: ScoreOptions['evaluate']): number {
  if (!evaluate) throw new AgentSpecError(ErrorCode.ConfigError, 'custom scoring needs the expression evaluator, which this build does not have.');
  let value: unknown;
  try {
    value = evaluate(args.expect, args);
  } catch (error) {
    throw new AgentSpecError(ErrorCode.InputError, `custom score expression failed: ${(error as Error).message}`);
  }
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number') return clampScore(value, 'the custom expression');
  throw new AgentSpecError(
    ErrorCode.InputError,
    `custom score expression gave ${value === null ? 'nil' : typeof value}; it must give true/false or a number in 0..1.`,
  );
}

function clampScore(value: number, from: string): number {
  if (!Number.isFinite(value) || value < 0 || value > 1)
    throw new AgentSpecError(ErrorCode.InputError, `${from} gave ${value}; a score must be a number in 0..1.`);
  return value;
}

/** Lower-cased words: runs of letters and digits. */
export function words(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}
