/**
 * Guardrails: content filters an agent `uses`. Each checks the user's message
 * before the model is called and the answer after it; a `block` guardrail
 * that fires replaces the answer with its fallback text, a `warn` one lets it
 * through and reports the firing.
 *
 * - keywords match case-insensitively as whole words (after Unicode NFKC
 *   folding, so full-width letters count): `ssn` fires on "my SSN is" but not
 *   on "lessons"; a keyword of several words matches that phrase;
 * - patterns are RE2 regular expressions (linear time), compiled when the
 *   runtime starts, case-sensitive unless they say `(?i)`; they run on texts up
 *   to MAX_GUARDED_CHARS characters, and a longer text counts as a firing of
 *   every guardrail with patterns (kind `too_long`): a filter that cannot look
 *   does not let the text pass.
 *
 * A firing names the guardrail, its mode, the side and the kind of match,
 * never the matched text (a pattern may be there to catch an SSN).
 */
import { AgentSpecError, ErrorCode } from '../errors.js';
import { compilePattern, type Matcher } from '../expr/regex.js';
import { OperandError } from '../expr/errors.js';
import { findResource, type IRDocument } from '../ir/types.js';
import type { GuardrailFiring } from './policy-notes.js';
import type { CompiledAgent } from './run-context.js';

/** Texts longer than this are not searched with patterns (they fire `too_long` instead). */
export const MAX_GUARDED_CHARS = 256 * 1024;

/** The answer of a `block` guardrail that declares no fallback text. */
export const DEFAULT_FALLBACK = 'I cannot help with that request.';

export type GuardrailSide = GuardrailFiring['side'];

interface Compiled {
  name: string;
  mode: 'warn' | 'block';
  keywords: string[];
  patterns: Matcher[];
  fallback: string;
}

export interface GuardrailCheck {
  firings: GuardrailFiring[];
  /** the fallback of the first `block` guardrail that fired (in the agent's order) */
  blockedWith?: string;
}

/** An agent's guardrails, compiled once. */
export class GuardrailSet {
  private constructor(private readonly guardrails: Compiled[]) {}

  /** The agent's guardrails; undefined when it uses none. Throws `config_error` for an unknown guardrail or a refused pattern. */
  static of(ir: IRDocument, agent: CompiledAgent): GuardrailSet | undefined {
    const names = agent.attrs.guardrails ?? [];
    if (names.length === 0) return undefined;
    return new GuardrailSet(names.map((name) => compile(ir, agent.name, name)));
  }

  /** True when a firing can change the answer (so streamed text must be held until the answer is checked). */
  get blocks(): boolean {
    return this.guardrails.some((g) => g.mode === 'block');
  }

  check(text: string, side: GuardrailSide): GuardrailCheck {
    const result: GuardrailCheck = { firings: [] };
    const folded = fold(text);
    for (const g of this.guardrails) {
      const match = matchOf(g, text, folded);
      if (!match) continue;
      result.firings.push({ guardrail: g.name, mode: g.mode, side, match });
      if (g.mode === 'block' && result.blockedWith === undefined) result.blockedWith = g.fallback;
    }
    return result;
  }
}

function compile(ir: IRDocument, agent: string, name: string): Compiled {
  const resource = findResource(ir, 'Guardrail', name);
  if (!resource) {
    throw new AgentSpecError(ErrorCode.ConfigError, `Agent "${agent}" uses guardrail "${name}", which the package does not declare.`, {
      details: { agent, guardrail: name },
    });
  }
  const { mode, keywords, patterns, fallback } = resource.attributes;
  const compiled = patterns.map((pattern, index) => {
    try {
      return compilePattern(pattern);
    } catch (error) {
      const reason = error instanceof OperandError ? error.message : 'Invalid regular expression.';
      throw new AgentSpecError(ErrorCode.ConfigError, `Guardrail "${name}" pattern ${index + 1}: ${reason}`, {
        details: { guardrail: name, pattern: index + 1 },
      });
    }
  });
  return {
    name,
    mode: mode === 'block' ? 'block' : 'warn',
    keywords: keywords.map(fold).filter((k) => k.trim() !== ''),
    patterns: compiled,
    fallback: fallback ?? DEFAULT_FALLBACK,
  };
}

function matchOf(g: Compiled, text: string, folded: string): GuardrailFiring['match'] | undefined {
  if (g.keywords.some((keyword) => hasWord(folded, keyword))) return 'keyword';
  if (g.patterns.length === 0) return undefined;
  if (text.length > MAX_GUARDED_CHARS) return 'too_long';
  return g.patterns.some((p) => p.test(text)) ? 'pattern' : undefined;
}

const WORD = /[\p{L}\p{N}_]/u;

/** Whether `keyword` occurs in `text` with no word character right before or after it. */
function hasWord(text: string, keyword: string): boolean {
  const wordStart = WORD.test(keyword.charAt(0));
  const wordEnd = WORD.test(keyword.charAt(keyword.length - 1));
  for (let at = text.indexOf(keyword); at >= 0; at = text.indexOf(keyword, at + 1)) {
    const before = at > 0 && wordStart && WORD.test(charBefore(text, at));
    const after = wordEnd && WORD.test(charAt(text, at + keyword.length));
    if (!before && !after) return true;
  }
  return false;
}

function charBefore(text: string, at: number): string {
  const code = text.charCodeAt(at - 1);
  // a low surrogate: the character is the pair
  return code >= 0xdc00 && code <= 0xdfff && at >= 2 ? text.slice(at - 2, at) : text.charAt(at - 1);
}

function charAt(text: string, at: number): string {
  return String.fromCodePoint(text.codePointAt(at) ?? 32);
}

function fold(text: string): string {
  return text.normalize('NFKC').toLowerCase();
}
