/**
 * Agent spending budgets (`budget daily N`, `budget monthly N`, USD). Each
 * model call's token usage is priced (prices.ts) and added to the agent's
 * ledger for the current UTC day and month; an invocation that would start
 * with a ledger at or over its limit is refused with `budget_exceeded`, saying
 * when the period resets. A run that crosses the limit mid-way finishes: the
 * check is made when an agent invocation starts (delegates and fallbacks
 * included), never between the calls of a run, so no answer is cut off half
 * made. Runs already going when the limit is crossed finish too, so spending
 * can pass the limit by what those runs cost.
 *
 * The ledgers live in the deployment's session store (memory, Redis,
 * DynamoDB) as records of a reserved owner name no agent can have, updated
 * with the store's compare-and-set, so every replica sees one spend.
 */
import { AgentSpecError, ErrorCode } from '../errors.js';
import { resourcesOf, type IRDocument } from '../ir/types.js';
import { parseModel } from '../llm/model-string.js';
import type { Usage } from '../llm/types.js';
import { updateSession } from '../sessions/index.js';
import type { SessionStore } from '../sessions/types.js';
import { costOf, PriceTable } from './prices.js';

/** The owner name of ledger records in the session store (a colon: no agent name has one). */
export const LEDGER_OWNER = 'agentspec:budget';

type Period = 'daily' | 'monthly';

interface Limits {
  daily?: number;
  monthly?: number;
}

export class Budgets {
  private readonly limits = new Map<string, Limits>();

  constructor(
    ir: IRDocument,
    private readonly store: SessionStore,
    private readonly now: () => number,
    private readonly prices: PriceTable = new PriceTable(),
  ) {
    for (const agent of resourcesOf(ir, 'Agent')) {
      const budget = agent.attributes.budget;
      if (!budget || (budget.daily === undefined && budget.monthly === undefined)) continue;
      // every model that may answer must have a price, or the budget could not be kept
      for (const written of agent.attributes.models ?? [agent.attributes.model]) {
        const { provider, model } = parseModel(written, process.env);
        if (!this.prices.priceOf(provider, model)) {
          throw new AgentSpecError(
            ErrorCode.ConfigError,
            `Agent "${agent.name}" has a budget but model "${written}" has no known price; add it to AGENTSPEC_MODEL_PRICES (USD per million tokens).`,
            { details: { agent: agent.name, model: written } },
          );
        }
      }
      this.limits.set(agent.name, budget);
    }
  }

  /** Throws `budget_exceeded` when one of the agent's periods is spent. */
  async admit(agent: string): Promise<void> {
    const limits = this.limits.get(agent);
    if (!limits) return;
    // monthly first: when both are spent, the later reset is the one that matters
    for (const period of periodsOf(limits).reverse()) {
      const limit = limits[period]!;
      const window = periodWindow(period, this.now());
      const spent = await this.spent(agent, window.id);
      if (spent >= limit) {
        throw new AgentSpecError(
          ErrorCode.BudgetExceeded,
          `Agent "${agent}" has used its ${period} budget of $${limit.toFixed(2)} (spent $${spent.toFixed(2)}); it resets at ${window.resetsAt}.`,
          { details: { agent, period, limit_usd: limit, spent_usd: round(spent), resets_at: window.resetsAt } },
        );
      }
    }
  }

  /** Adds a model call's cost to the agent's ledgers (nothing when the agent has no budget). */
  async charge(agent: string, provider: string, model: string, usage: Usage): Promise<void> {
    const limits = this.limits.get(agent);
    if (!limits) return;
    const price = this.prices.priceOf(provider, model);
    const usd = price ? costOf(price, usage) : 0;
    if (usd <= 0) return;
    await Promise.all(periodsOf(limits).map((period) => this.add(agent, periodWindow(period, this.now()), usd)));
  }

  /** USD spent by `agent` in the period containing now. */
  async spentIn(agent: string, period: Period): Promise<number> {
    return this.spent(agent, periodWindow(period, this.now()).id);
  }

  private async spent(agent: string, window: string): Promise<number> {
    const record = await this.store.get(LEDGER_OWNER, `${agent}:${window}`);
    return record ? usdOf(record.summary) : 0;
  }

  private async add(agent: string, window: Window, usd: number): Promise<void> {
    const id = `${agent}:${window.id}`;
    if (!(await this.store.get(LEDGER_OWNER, id))) {
      // kept a day past the reset; another writer may create it at the same moment
      const ttlSeconds = Math.ceil((Date.parse(window.resetsAt) - this.now()) / 1000) + 86_400;
      await this.store.create(LEDGER_OWNER, { id, ttlSeconds }).catch((error: unknown) => {
        if (!(error instanceof AgentSpecError && error.code === ErrorCode.Conflict)) throw error;
      });
    }
    await updateSession(this.store, LEDGER_OWNER, id, (record) => {
      record.summary = JSON.stringify({ usd: usdOf(record.summary) + usd });
    });
  }
}

interface Window {
  /** `day:2026-03-09` or `month:2026-03` */
  id: string;
  /** ISO-8601 start of the next period (UTC) */
  resetsAt: string;
}

function periodWindow(period: Period, now: number): Window {
  const d = new Date(now);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  if (period === 'monthly') {
    return { id: `month:${d.toISOString().slice(0, 7)}`, resetsAt: new Date(Date.UTC(y, m + 1, 1)).toISOString() };
  }
  return { id: `day:${d.toISOString().slice(0, 10)}`, resetsAt: new Date(Date.UTC(y, m, d.getUTCDate() + 1)).toISOString() };
}

function periodsOf(limits: Limits): Period[] {
  return (['daily', 'monthly'] as const).filter((p) => limits[p] !== undefined);
}

function usdOf(summary: string | undefined): number {
  if (!summary) return 0;
  const value = (JSON.parse(summary) as { usd?: unknown }).usd;
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

function round(usd: number): number {
  return Math.round(usd * 1e6) / 1e6;
}
