/**
 * Token accounting and the token budget. A meter sums the usage of every
 * model call of one agent invocation; a delegate's meter has the delegating
 * agent's meter as parent, so its tokens count in both totals and both
 * budgets. Calls running at the same time (map-reduce parts) reserve their
 * worst case before they start, so together they never exceed the budget.
 */
import { AgentSpecError, ErrorCode } from '../errors.js';
import type { Usage } from '../llm/types.js';
import type { TokenUsage } from './types.js';

/** A fresh all-zero usage record. */
export function zeroTokens(): TokenUsage {
  return { input: 0, output: 0, cache_read: 0, cache_write: 0, total: 0 };
}

/** Adds `usage` into `into` (mutating it) and keeps `total` right. */
export function addTokens(into: TokenUsage, usage: Usage | TokenUsage): void {
  into.input += usage.input;
  into.output += usage.output;
  into.cache_read += usage.cache_read;
  into.cache_write += usage.cache_write;
  into.total = into.input + into.output + into.cache_read + into.cache_write;
}

export class TokenMeter {
  readonly usage: TokenUsage = zeroTokens();
  private reserved = 0;

  constructor(
    /** input + output + cache tokens allowed for this invocation */
    readonly limit: number,
    readonly parent?: TokenMeter,
  ) {}

  /** Tokens still available here and in every ancestor. */
  remaining(): number {
    const own = this.limit - this.usage.total - this.reserved;
    return this.parent ? Math.min(own, this.parent.remaining()) : own;
  }

  /**
   * Decides the `max_tokens` of the next call before it is made: the wanted
   * value, lowered to what the budget leaves after the estimated input, and
   * reserves that worst case. Throws `budget_exceeded` when not even `floor`
   * output tokens would fit.
   */
  reserve(inputEstimate: number, wanted: number, floor: number): { maxTokens: number; reservation: number } {
    const room = this.remaining() - inputEstimate;
    const maxTokens = Math.min(wanted, room);
    if (maxTokens < Math.min(floor, wanted)) {
      throw new AgentSpecError(
        ErrorCode.BudgetExceeded,
        `The token budget would be exceeded by the next model call (about ${inputEstimate} input tokens, ${Math.max(0, this.remaining())} tokens left).`,
        { details: { token_budget: this.limit, estimated_input: inputEstimate } },
      );
    }
    const reservation = inputEstimate + maxTokens;
    this.hold(reservation);
    return { maxTokens, reservation };
  }

  /** Releases a reservation and records what the call really used. */
  settle(reservation: number, usage: Usage): void {
    this.reserved -= reservation;
    addTokens(this.usage, usage);
    this.parent?.settle(reservation, usage);
  }

  private hold(tokens: number): void {
    this.reserved += tokens;
    this.parent?.hold(tokens);
  }
}
