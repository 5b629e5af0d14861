/**
 * Model prices in USD per million tokens, for agent `budget`s. A small table
 * of the Claude and OpenAI models the examples use (list prices; cache reads
 * and writes at the providers' multipliers), Ollama models at zero (they run
 * on the deployer's own hardware), and `AGENTSPEC_MODEL_PRICES` to add or
 * correct entries: a JSON object of model id → `{ "input": n, "output": n }`
 * (optionally `cache_read`, `cache_write`), the same USD per million tokens.
 */
import { AgentSpecError, ErrorCode } from '../errors.js';
import type { Usage } from '../llm/types.js';

export interface ModelPrice {
  input: number;
  output: number;
  cache_read: number;
  cache_write: number;
}

/** Anthropic bills cache reads at 0.1× and 5-minute cache writes at 1.25× the input price. */
const claude = (input: number, output: number): ModelPrice => ({ input, output, cache_read: input * 0.1, cache_write: input * 1.25 });
/** OpenAI bills cached input at a discount and has no cache writes. */
const openai = (input: number, output: number, cached: number): ModelPrice => ({ input, output, cache_read: cached, cache_write: input });

const PRICES: Readonly<Record<string, ModelPrice>> = {
  'claude-opus-4-20250514': claude(15, 75),
  'claude-opus-4-1-20250805': claude(15, 75),
  'claude-sonnet-4-20250514': claude(3, 15),
  'claude-sonnet-4-5': claude(3, 15),
  'claude-sonnet-4-5-20250929': claude(3, 15),
  'claude-haiku-4-5': claude(1, 5),
  'claude-haiku-4-5-20251001': claude(1, 5),
  'claude-3-5-haiku-20241022': claude(0.8, 4),
  'gpt-4o': openai(2.5, 10, 1.25),
  'gpt-4o-mini': openai(0.15, 0.6, 0.075),
  'gpt-4.1': openai(2, 8, 0.5),
  'gpt-4.1-mini': openai(0.4, 1.6, 0.1),
  'gpt-4.1-nano': openai(0.1, 0.4, 0.025),
};

const FREE: ModelPrice = Object.freeze({ input: 0, output: 0, cache_read: 0, cache_write: 0 });

/** The price table: the built-in one with `AGENTSPEC_MODEL_PRICES` over it. */
export class PriceTable {
  private readonly prices: Record<string, ModelPrice>;

  constructor(env: Readonly<Record<string, string | undefined>> = process.env) {
    this.prices = { ...PRICES, ...overrides(env.AGENTSPEC_MODEL_PRICES) };
  }

  /** The price of a model id (without provider prefix) of `provider`; undefined when unknown. */
  priceOf(provider: string, model: string): ModelPrice | undefined {
    return this.prices[model] ?? (provider === 'ollama' ? FREE : undefined);
  }
}

/** What `usage` costs at `price`, in USD. */
export function costOf(price: ModelPrice, usage: Usage): number {
  return (usage.input * price.input + usage.output * price.output + usage.cache_read * price.cache_read + usage.cache_write * price.cache_write) / 1e6;
}

function overrides(text: string | undefined): Record<string, ModelPrice> {
  if (text === undefined || text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw priceError('is not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw priceError('must be a JSON object of model id → prices');
  const out: Record<string, ModelPrice> = {};
  for (const [model, value] of Object.entries(parsed as Record<string, unknown>)) {
    const entry = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
    const field = (name: string, fallback?: number): number => {
      const n = entry[name] ?? fallback;
      if (typeof n !== 'number' || !Number.isFinite(n) || n < 0) throw priceError(`needs a non-negative number "${name}" for model "${model}"`);
      return n;
    };
    const input = field('input');
    out[model] = { input, output: field('output'), cache_read: field('cache_read', input), cache_write: field('cache_write', input) };
  }
  return out;
}

function priceError(reason: string): AgentSpecError {
  return new AgentSpecError(ErrorCode.ConfigError, `AGENTSPEC_MODEL_PRICES ${reason} (USD per million tokens, e.g. {"my-model": {"input": 1, "output": 2}}).`);
}
