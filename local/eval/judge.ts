/**
 * The live `semantic` scorer: the case's agent's own model rates, from 0 to
 * 1, how far the answer says what `expect` says. The model is asked for a
 * bare number; a reply without one in 0..1 makes the case an error rather
 * than a guessed score.
 */
import { AgentSpecError, ErrorCode } from '../../shared/errors.js';
import { collect } from '../../shared/llm/collect.js';
import type { ModelProvider } from '../../shared/llm/types.js';
import type { ScoreInput } from '../../shared/eval/scoring.js';

const SYSTEM =
  'You grade answers. Given an expected answer and an actual answer, rate how far the actual answer conveys the same meaning as the expected one, ' +
  'ignoring wording, length and style. Reply with one number between 0 and 1 (1: same meaning, 0: unrelated or contradictory) and nothing else.';

/** A judge asking `provider`'s `model`. */
export function createJudge(provider: ModelProvider, model: string): (args: ScoreInput, signal: AbortSignal) => Promise<number> {
  return async (args, signal) => {
    const reply = await collect(
      provider.stream(
        {
          model,
          system: SYSTEM,
          max_tokens: 16,
          temperature: 0,
          messages: [{ role: 'user', content: [{ type: 'text', text: `Expected answer:\n${args.expect}\n\nActual answer:\n${args.output}` }] }],
        },
        signal,
      ),
    );
    return parseRating(reply.text);
  };
}

/** The rating in a judge's reply. */
export function parseRating(text: string): number {
  const match = /^\s*(0(?:\.\d+)?|1(?:\.0+)?|\.\d+)\s*$/.exec(text);
  if (!match)
    throw new AgentSpecError(
      ErrorCode.UpstreamError,
      `The semantic judge did not answer with a number in 0..1 (it said: ${JSON.stringify(text.slice(0, 80))}).`,
    );
  return Number(match[1]);
}
