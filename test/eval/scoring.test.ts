/** Every scoring method, its partial scores, its errors, and what a threshold means. */
import { describe, expect, it } from 'vitest';
import { contains, exact, regex, score, wordOverlap } from '../../shared/eval/scoring.js';
import { createJudge, parseRating } from '../../local/eval/judge.js';
import type { ModelRequest } from '../../shared/llm/types.js';

const args = (output: string, expectText: string) => ({ input: 'the question', output, expect: expectText });

describe('scoring', () => {
  it('exact ignores case and surrounding whitespace, and nothing else', () => {
    expect(exact('  Hello World\n', 'hello world')).toBe(1);
    expect(exact('Hello, World', 'hello world')).toBe(0);
  });

  it('contains gives 1 for a substring, else the share of expected words present as words', () => {
    expect(contains('We have three PRICING plans.', 'pricing plans')).toBe(1);
    expect(contains('our plans for pricing', 'pricing plans here')).toBeCloseTo(2 / 3);
    // a word inside another word is not that word
    expect(contains('anything', 'a thing')).toBe(0);
    expect(contains('anything', '')).toBe(1);
  });

  it('regex matches the answer and rejects a bad pattern', () => {
    expect(regex('order #1234 shipped', '#\\d{4}')).toBe(1);
    expect(regex('order shipped', '#\\d{4}')).toBe(0);
    expect(() => regex('x', '(')).toThrow(/not a valid regular expression/);
    expect(() => regex('x', 'a'.repeat(513))).toThrow(/512 characters/);
  });

  it('semantic without a judge is the Jaccard overlap of the word sets', () => {
    // {index, funds, are, cheap} vs {index, funds, diversify}: 2 shared of 5 distinct
    expect(wordOverlap('Index funds are cheap!', 'index funds diversify')).toBeCloseTo(2 / 5);
    expect(wordOverlap('', '')).toBe(1);
    expect(wordOverlap('something', '')).toBe(0);
  });

  it('semantic with a judge is the judge’s rating, and a rating outside 0..1 is an error', async () => {
    await expect(score('semantic', args('a', 'b'), { judge: async () => 0.75 })).resolves.toBe(0.75);
    await expect(score('semantic', args('a', 'b'), { judge: async () => 7 })).rejects.toThrow(/0\.\.1/);
  });

  it('the live judge asks the agent’s model with both answers and takes its rating', async () => {
    const seen: ModelRequest[] = [];
    const judge = createJudge(
      {
        async *stream(request) {
          seen.push(request);
          yield { type: 'text', text: '0.9' };
          yield { type: 'stop', reason: 'end_turn' };
        },
      },
      'judge-model',
    );
    await expect(judge({ input: 'q', output: 'Index funds are cheap', expect: 'Low-cost index funds' }, new AbortController().signal)).resolves.toBe(0.9);
    expect(seen[0]).toMatchObject({ model: 'judge-model', temperature: 0 });
    expect(JSON.stringify(seen[0]!.messages)).toContain('Expected answer:\\nLow-cost index funds\\n\\nActual answer:\\nIndex funds are cheap');
  });

  it('the judge’s reply must be a bare number in 0..1', () => {
    expect(parseRating(' 0.85\n')).toBe(0.85);
    expect(parseRating('1')).toBe(1);
    expect(() => parseRating('I would say 0.8')).toThrow(/did not answer with a number/);
    expect(() => parseRating('1.5')).toThrow();
  });

  it('custom evaluates expect as an expression over input, output and expect', async () => {
    const evaluate = (expression: string, env: { output: string }) => (expression === 'len' ? env.output.length / 10 : env.output.includes('ok'));
    await expect(score('custom', args('ok then', 'output contains "ok"'), { evaluate })).resolves.toBe(1);
    await expect(score('custom', args('nope', 'x'), { evaluate })).resolves.toBe(0);
    await expect(score('custom', args('12345', 'len'), { evaluate })).resolves.toBe(0.5);
    await expect(score('custom', args('x', 'x'), { evaluate: () => 'text' })).rejects.toThrow(/true\/false or a number/);
    await expect(score('custom', args('x', 'x'))).rejects.toThrow(/expression evaluator/);
  });

  it('an unknown method is an error naming the known ones', async () => {
    await expect(score('fuzzy', args('a', 'a'))).rejects.toThrow(/Unknown scoring method "fuzzy"; use one of exact, contains, semantic, regex, custom/);
  });
});
