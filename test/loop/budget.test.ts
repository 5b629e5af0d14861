/** Agent budgets on the in-memory session store, and the price table's load-time checks. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Runtime } from '../../shared/loop/runtime.js';
import { MemorySessionStore } from '../../shared/sessions/index.js';
import { agent, irOf } from '../helpers/ir-builder.js';
import { say, scriptedProvider } from '../helpers/scripted-provider.js';
import { testTools } from '../helpers/test-tools.js';
import { budgetCases } from './budget-cases.js';

budgetCases('the memory store', async () => new MemorySessionStore());

describe('budget prices', () => {
  afterEach(() => vi.unstubAllEnvs());
  const load = (model: string) =>
    Runtime.fromIR(irOf(agent('bot', { model, budget: { daily: 1 } })), { providerFor: () => scriptedProvider(say('x')), tools: testTools() });

  it('refuses to load an agent with a budget whose model has no known price, naming the agent, the model and the override', () => {
    expect(() => load('claude-haiku-latest')).toThrow(
      /^Agent "bot" has a budget but model "claude-haiku-latest" has no known price; add it to AGENTSPEC_MODEL_PRICES/,
    );
  });

  it('takes prices from AGENTSPEC_MODEL_PRICES, in USD per million tokens', async () => {
    vi.stubEnv('AGENTSPEC_MODEL_PRICES', JSON.stringify({ 'claude-haiku-latest': { input: 2, output: 4 } }));
    const runtime = Runtime.fromIR(irOf(agent('bot', { model: 'claude-haiku-latest', budget: { daily: 100 } })), {
      providerFor: () => scriptedProvider(say('x', { input: 1_000_000, output: 1_000_000 })),
      tools: testTools(),
    });
    await runtime.invoke('bot', { message: 'hi' });
    expect(await runtime.policy.budgets.spentIn('bot', 'daily')).toBeCloseTo(6);
  });

  it('refuses a malformed AGENTSPEC_MODEL_PRICES with the expected shape', () => {
    vi.stubEnv('AGENTSPEC_MODEL_PRICES', '{"m": {"input": "cheap"}}');
    expect(() => load('claude-sonnet-4-20250514')).toThrow('AGENTSPEC_MODEL_PRICES needs a non-negative number "input" for model "m"');
  });

  it("prices Ollama models at zero: they run on the deployer's hardware", () => {
    expect(() => load('ollama/llama3.1')).not.toThrow();
  });
});
