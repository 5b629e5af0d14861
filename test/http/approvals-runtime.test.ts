/**
 * Approval end to end with the real runtime: a run pauses on one app (its
 * checkpoint in the shared run store), the decision reaches a second app
 * with its own runtime, which resumes the run there; the tool runs once, on
 * the second instance, and the first instance reads the result.
 */
import { describe, expect, it } from 'vitest';
import { createApp } from '../../shared/http/app.js';
import type { IRSkill } from '../../shared/ir/types.js';
import { Runtime } from '../../shared/loop/runtime.js';
import { MemoryRunStore } from '../../shared/runs/memory-run-store.js';
import type { PendingApproval } from '../../shared/runs/types.js';
import { SILENT_LOGGER } from '../../shared/telemetry/logger.js';
import { agent, irOf } from '../helpers/ir-builder.js';
import { say, scriptedProvider, useTools } from '../helpers/scripted-provider.js';
import { testTools } from '../helpers/test-tools.js';
import { post } from './helpers.js';

const refund: IRSkill = {
  kind: 'Skill',
  name: 'refund',
  fqn: 'test/Skill/refund',
  hash: '0'.repeat(64),
  attributes: {
    description: 'Refund an order',
    input_schema: { type: 'object', properties: { amount: { type: 'number' } }, required: ['amount'] },
    tool: { type: 'command', binary: 'echo', args: [], env: {}, secrets: {}, timeout_ms: 1000 } as unknown as IRSkill['attributes']['tool'],
    approval: 'required',
  },
};

/** An instance: its own runtime (the same package), model and tools, over the shared run store; its model calls refund first, or just answers. */
function instance(runs: MemoryRunStore, model: 'calls refund' | 'answers') {
  const tools = testTools({ name: 'refund', handler: (input) => ({ refunded: (input as { amount: number }).amount }) });
  const provider = (
    model === 'calls refund' ? scriptedProvider(useTools({ name: 'refund', input: { amount: 30 }, id: 'toolu_r' })) : scriptedProvider()
  ).otherwise(say('Refunded.'));
  const runtime = Runtime.fromIR(irOf(agent('bot', { skills: ['refund'] }), refund), { providerFor: () => provider, tools, env: {} });
  const app = createApp({ runtime: () => runtime, apiKeys: false, logger: SILENT_LOGGER, runs });
  return { app, tools, provider };
}

describe('approval across instances with the real runtime', () => {
  it('pauses on A, is approved on B with an edited input, runs the tool once on B, and A reads the result', async () => {
    const runs = new MemoryRunStore();
    const a = instance(runs, 'calls refund');
    const b = instance(runs, 'answers');

    const started = await a.app.request('/v1/agents/bot/invoke', post({ message: 'refund A1' }));
    expect(started.status).toBe(202);
    const { run_id: run, approvals } = (await started.json()) as { run_id: string; approvals: PendingApproval[] };
    const stored = await runs.get(run);
    expect(stored?.checkpoint).toMatchObject({ agent: 'bot' });

    const decided = await Promise.all([
      b.app.request(`/v1/runs/${run}/approvals/${approvals[0]!.id}`, post({ decision: 'approve', input: { amount: 10 } })),
      b.app.request(`/v1/runs/${run}/approvals/${approvals[0]!.id}`, post({ decision: 'approve', input: { amount: 10 } })),
    ]);

    expect(decided.map((r) => r.status).sort()).toEqual([200, 409]);
    const answer = (await decided.find((r) => r.status === 200)!.json()) as { output: string; tool_calls: { name: string; input: unknown }[] };
    expect(answer.output).toBe('Refunded.');
    expect(a.tools.calls).toEqual([]);
    expect(b.tools.calls.map((c) => c.input)).toEqual([{ amount: 10 }]);
    // B's model read the result of the call A's model asked for
    expect(b.provider.requests[0]!.messages.at(-1)!.content).toEqual([{ type: 'tool_result', tool_use_id: 'toolu_r', content: '{"refunded":10}' }]);
    const seen = (await (await a.app.request(`/v1/runs/${run}`)).json()) as Record<string, unknown>;
    expect(seen).toMatchObject({ status: 'succeeded', result: { output: 'Refunded.' } });
  });

  it('refuses an edited input the skill schema does not accept (400), recording nothing', async () => {
    const runs = new MemoryRunStore();
    const a = instance(runs, 'calls refund');
    const started = await a.app.request('/v1/agents/bot/invoke', post({ message: 'refund A1' }));
    const { run_id: run, approvals } = (await started.json()) as { run_id: string; approvals: PendingApproval[] };

    const bad = await a.app.request(`/v1/runs/${run}/approvals/${approvals[0]!.id}`, post({ decision: 'approve', input: { amount: 'lots' } }));

    expect(bad.status).toBe(400);
    expect((await runs.get(run))?.decisions).toBeUndefined();
    expect(a.tools.calls).toEqual([]);
  });
});
