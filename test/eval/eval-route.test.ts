/** The dev server's eval routes in-process: served only beside the playground, the case list, the SSE run, body checks. */
import { describe, expect, it } from 'vitest';
import { currentCase } from '../../shared/eval/case-context.js';
import { turnsForCase } from '../../local/eval/script.js';
import type { EvalCase } from '../../shared/eval/types.js';
import { createApp } from '../../shared/http/app.js';
import type { IRAgent } from '../../shared/ir/types.js';
import { createScriptedProvider } from '../../local/eval/scripted-provider.js';
import { Runtime } from '../../shared/loop/runtime.js';
import { createLogger } from '../../shared/telemetry/logger.js';
import { agent, irOf } from '../helpers/ir-builder.js';

const evalCase = (name: string, more: Partial<EvalCase> = {}): EvalCase => ({
  name,
  input: `about ${name}`,
  expect: 'yes',
  scoring: 'exact',
  threshold: 0.8,
  tags: [],
  ...more,
});
const withCases = (a: IRAgent, cases: EvalCase[]): IRAgent => ({ ...a, attributes: { ...a.attributes, eval: cases } as IRAgent['attributes'] });
const ir = irOf(withCases(agent('bot'), [evalCase('one', { tags: ['smoke'] }), evalCase('two')]), agent('plain'));
const runtime = Runtime.fromIR(ir, { providerFor: () => createScriptedProvider(() => turnsForCase(currentCase()!)) });
const app = (playground: boolean) =>
  createApp({ runtime: () => runtime, apiKeys: false, ...(playground ? { playgroundHtml: '<html></html>' } : {}), logger: createLogger({ sink: () => {} }) });
const post = (body: unknown) => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

function events(text: string): { event: string; data: Record<string, unknown> }[] {
  return text
    .split('\n\n')
    .filter((block) => block.trim())
    .map((block) => ({
      event: /^event: (.*)$/m.exec(block)![1]!,
      data: JSON.parse(/^data: (.*)$/m.exec(block)![1]!) as Record<string, unknown>,
    }));
}

describe('eval routes', () => {
  it('are not served without the playground (serve, containers, Lambda)', async () => {
    expect((await app(false).request('/v1/eval')).status).toBe(404);
    expect((await app(false).request('/v1/agents/bot/eval', post({}))).status).toBe(404);
  });

  it('list each agent’s declared cases', async () => {
    const res = await app(true).request('/v1/eval');
    expect(await res.json()).toEqual({ agents: [{ agent: 'bot', cases: [evalCase('one', { tags: ['smoke'] }), evalCase('two')] }] });
  });

  it('stream case_start and case_end for each case, then done with the report', async () => {
    const res = await app(true).request('/v1/agents/bot/eval', post({ tags: ['smoke'] }));
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const got = events(await res.text());
    expect(got.map((e) => e.event)).toEqual(['case_start', 'case_end', 'done']);
    expect(got[1]!.data).toMatchObject({ agent: 'bot', name: 'one', status: 'passed', score: 1, output: 'yes' });
    expect(got[2]!.data).toMatchObject({ mode: 'live', total: 1, passed: 1, pass_rate: 1 });
  });

  it('run only the named cases, and refuse an unknown agent or a bad body before streaming', async () => {
    const named = events(await (await app(true).request('/v1/agents/bot/eval', post({ cases: ['two'] }))).text());
    expect(named.filter((e) => e.event === 'case_end').map((e) => e.data.name)).toEqual(['two']);
    const missing = await app(true).request('/v1/agents/nope/eval', post({}));
    expect(missing.status).toBe(404);
    const bad = await app(true).request('/v1/agents/bot/eval', post({ concurrency: 0, extra: true }));
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toBe('invalid_request');
  });
});
