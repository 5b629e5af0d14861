/** The budget behaviour every session store must give (memory in budget.test.ts, redis-server in budget-redis.test.ts). */
import { describe, expect, it } from 'vitest';
import { AgentSpecError, ErrorCode } from '../../shared/errors.js';
import { Runtime } from '../../shared/loop/runtime.js';
import type { SessionStore } from '../../shared/sessions/types.js';
import { agent, irOf } from '../helpers/ir-builder.js';
import { say, scriptedProvider, type ScriptedProvider } from '../helpers/scripted-provider.js';
import { testTools } from '../helpers/test-tools.js';

const MTOK = 1_000_000;
/** 2026-03-09 10:00 UTC */
const MORNING = Date.UTC(2026, 2, 9, 10);
const DAY = 86_400_000;

export function budgetCases(name: string, newStore: () => Promise<SessionStore>): void {
  describe(`budgets on ${name}`, () => {
    const runtime = (store: SessionStore, provider: ScriptedProvider, clock: { now: number }, attrs: Parameters<typeof agent>[1] = {}) =>
      Runtime.fromIR(irOf(agent('bot', { budget: { daily: 5 }, ...attrs })), {
        providerFor: () => provider,
        sessions: store,
        tools: testTools(),
        now: () => clock.now,
      });

    it('prices each call from its tokens, lets the run that crosses the limit finish, and refuses the next with when it resets', async () => {
      const store = await newStore();
      const clock = { now: MORNING };
      // claude-sonnet-4: $3 per million input tokens, $15 per million output tokens
      const provider = scriptedProvider(say('one', { input: MTOK, output: 0 }), say('two', { input: MTOK, output: 0 })).otherwise(say('never'));
      const bot = runtime(store, provider, clock);

      expect((await bot.invoke('bot', { message: 'a' })).output).toBe('one');
      expect(await bot.policy.budgets.spentIn('bot', 'daily')).toBeCloseTo(3);
      expect((await bot.invoke('bot', { message: 'b' })).output).toBe('two');
      const refused = await bot.invoke('bot', { message: 'c' }).catch((e: unknown) => e);

      expect(refused).toBeInstanceOf(AgentSpecError);
      expect(refused).toMatchObject({
        code: ErrorCode.BudgetExceeded,
        message: 'Agent "bot" has used its daily budget of $5.00 (spent $6.00); it resets at 2026-03-10T00:00:00.000Z.',
        details: { agent: 'bot', period: 'daily', limit_usd: 5, spent_usd: 6, resets_at: '2026-03-10T00:00:00.000Z' },
      });
      expect(provider.requests).toHaveLength(2);
    });

    it('starts a new daily ledger at UTC midnight while the monthly one keeps counting', async () => {
      const store = await newStore();
      const clock = { now: MORNING };
      const provider = scriptedProvider().otherwise(say('ok', { input: 0, output: MTOK / 3 }));
      const bot = runtime(store, provider, clock, { budget: { daily: 5, monthly: 8 } });

      await bot.invoke('bot', { message: 'a' });
      await expect(bot.invoke('bot', { message: 'b' })).rejects.toMatchObject({ details: { period: 'daily' } });
      clock.now += DAY;
      await bot.invoke('bot', { message: 'c' });
      await expect(bot.invoke('bot', { message: 'd' })).rejects.toMatchObject({ details: { period: 'monthly', resets_at: '2026-04-01T00:00:00.000Z' } });
    });

    it('shares one ledger between runtimes on the same store, as replicas of a deployment do', async () => {
      const store = await newStore();
      const clock = { now: MORNING };
      const first = runtime(store, scriptedProvider(say('x', { input: 2 * MTOK, output: 0 })), clock);
      const second = runtime(store, scriptedProvider(say('never')), clock);

      await first.invoke('bot', { message: 'a' });

      await expect(second.invoke('bot', { message: 'b' })).rejects.toMatchObject({ code: 'budget_exceeded' });
    });

    it('adds concurrent calls without losing any', async () => {
      const store = await newStore();
      const clock = { now: MORNING };
      const bot = runtime(store, scriptedProvider().otherwise(say('ok', { input: MTOK / 10, output: 0 })), clock, { budget: { daily: 100 } });

      await Promise.all(Array.from({ length: 8 }, (_, i) => bot.invoke('bot', { message: String(i) })));

      expect(await bot.policy.budgets.spentIn('bot', 'daily')).toBeCloseTo(8 * 0.3);
    });

    it('charges the model that answered in a chain at its own price', async () => {
      const store = await newStore();
      const clock = { now: MORNING };
      const provider = scriptedProvider(
        { error: new AgentSpecError(ErrorCode.UpstreamError, 'overloaded', { details: { status: 529 } }) },
        say('haiku', { input: MTOK, output: 0 }),
      );
      const bot = runtime(store, provider, clock, { models: ['claude-sonnet-4-20250514', 'claude-haiku-4-5'] });

      await bot.invoke('bot', { message: 'a' });

      // claude-haiku-4-5: $1 per million input tokens
      expect(await bot.policy.budgets.spentIn('bot', 'daily')).toBeCloseTo(1);
    });
  });
}
