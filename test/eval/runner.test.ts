/**
 * The eval runner: cases through the real runtime with the shipped scripted
 * model, thresholds and the pass rate, errors, the concurrency bound and
 * cancellation.
 */
import { describe, expect, it } from 'vitest';
import { AgentSpecError, ErrorCode } from '../../shared/errors.js';
import { currentCase } from '../../shared/eval/case-context.js';
import { reportSucceeded, runEval, type Invoke } from '../../shared/eval/runner.js';
import { parseScript, turnsForCase } from '../../local/eval/script.js';
import { selectCases } from '../../shared/eval/select.js';
import type { EvalCase, EvalTarget } from '../../shared/eval/types.js';
import type { IRAgent } from '../../shared/ir/types.js';
import { createScriptedProvider } from '../../local/eval/scripted-provider.js';
import { Runtime } from '../../shared/loop/runtime.js';
import { agent, irOf, prompt } from '../helpers/ir-builder.js';
import { testTools } from '../helpers/test-tools.js';

const evalCase = (name: string, more: Partial<EvalCase> = {}): EvalCase => ({
  name,
  input: `input of ${name}`,
  scoring: 'exact',
  threshold: 0.8,
  tags: [],
  ...more,
});
const withCases = (a: IRAgent, cases: EvalCase[]): IRAgent => ({ ...a, attributes: { ...a.attributes, eval: cases } as IRAgent['attributes'] });
const targets = (n: number): EvalTarget[] => Array.from({ length: n }, (_, i) => ({ agent: 'a', case: evalCase(`c${i}`, { expect: 'x' }) }));

describe('eval runner', () => {
  it('runs each case through the runtime: the scripted model answers with expect, or plays the script with real tool calls', async () => {
    const tools = testTools({ name: 'lookup', handler: (input) => ({ found: (input as { id: string }).id }) });
    const ir = irOf(
      prompt('sys', 'You help {{company}}.', [{ name: 'company', type: 'string', required: false, default: 'Acme' }]),
      withCases(agent('support', { prompt: 'sys' }), [
        evalCase('greets', { input: 'Hello', expect: 'Welcome to Acme!' }),
        evalCase('looks-up', { input: 'Where is order 7?', expect: 'order 7: {"found":"7"}', scoring: 'contains' }),
        evalCase('wrong', { input: 'Hi', expect: 'Bye' }),
      ]),
    );
    const script = parseScript(
      { 'looks-up': [{ tool_calls: [{ name: 'lookup', input: { id: '7' } }] }, 'Order 7: {{tool_result}}'], 'support/wrong': 'Hello there' },
      'script.json',
    );
    const systems: (string | undefined)[] = [];
    const model = createScriptedProvider((request) => {
      systems.push(request.system);
      return turnsForCase(currentCase()!, script);
    });
    const runtime = Runtime.fromIR(ir, { providerFor: () => model, tools });
    const report = await runEval(selectCases(ir), {
      mode: 'scripted',
      invoke: async (name, input, signal) => (await runtime.invoke(name, { message: input, signal })).output,
    });
    expect(report.cases.map((c) => [c.name, c.status, c.score])).toEqual([
      ['greets', 'passed', 1],
      ['looks-up', 'passed', 1],
      ['wrong', 'failed', 0],
    ]);
    expect(tools.calls.map((c) => [c.name, c.input])).toEqual([['lookup', { id: '7' }]]);
    expect(systems.every((s) => s === 'You help Acme.')).toBe(true);
    expect(report).toMatchObject({ total: 3, passed: 2, failed: 1, errors: 0, pass_rate: 2 / 3, required_pass_rate: 1 });
    expect(reportSucceeded(report)).toBe(false);
  });

  it('a case passes when its score reaches its threshold; the run when the pass rate reaches the required one', async () => {
    const cases = [
      { agent: 'a', case: evalCase('half', { expect: 'alpha beta', scoring: 'contains', threshold: 0.5 }) },
      { agent: 'a', case: evalCase('short', { expect: 'alpha beta', scoring: 'contains', threshold: 0.51 }) },
    ];
    const report = await runEval(cases, { mode: 'scripted', requiredPassRate: 0.5, invoke: async () => 'alpha gamma' });
    expect(report.cases.map((c) => [c.score, c.passed])).toEqual([
      [0.5, true],
      [0.5, false],
    ]);
    expect(reportSucceeded(report)).toBe(true);
    expect(reportSucceeded({ ...report, required_pass_rate: 0.6 })).toBe(false);
  });

  it('an invocation or scoring error makes the case an error, and the run fails whatever the pass rate', async () => {
    const cases = [
      { agent: 'a', case: evalCase('boom', { expect: 'x' }) },
      { agent: 'a', case: evalCase('odd', { expect: 'x', scoring: 'fuzzy' }) },
      { agent: 'a', case: evalCase('fine', { expect: 'x' }) },
    ];
    const report = await runEval(cases, {
      mode: 'scripted',
      requiredPassRate: 0,
      invoke: async (_agent, input) => {
        if (input.includes('boom')) throw new AgentSpecError(ErrorCode.UpstreamError, 'model unreachable');
        return 'x';
      },
    });
    expect(report.cases.map((c) => [c.status, c.error])).toEqual([
      ['error', 'upstream_error: model unreachable'],
      ['error', 'input_error: Unknown scoring method "fuzzy"; use one of exact, contains, semantic, regex, custom.'],
      ['passed', undefined],
    ]);
    expect(report.cases[1]!.output).toBe('x');
    expect(reportSucceeded(report)).toBe(false);
  });

  it('custom cases are scored with the expression language over input, output and expect', async () => {
    const cases = [
      { agent: 'a', case: evalCase('mentions', { scoring: 'custom', threshold: 1, expect: 'output contains "refund" and input startsWith "input"' }) },
      { agent: 'a', case: evalCase('misses', { scoring: 'custom', threshold: 1, expect: 'output contains "apology"' }) },
      { agent: 'a', case: evalCase('broken', { scoring: 'custom', threshold: 1, expect: 'output contains' }) },
    ];
    const report = await runEval(cases, { mode: 'scripted', requiredPassRate: 0, invoke: async () => 'Your refund is on its way.' });
    expect(report.cases.map((c) => c.status)).toEqual(['passed', 'failed', 'error']);
    expect(report.cases[2]!.error).toMatch(/^input_error: custom score expression failed: .+ \(at character \d+\)$/);
  });

  it('never has more cases in flight than the bound, and starts them all', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const waiting: (() => void)[] = [];
    let onStart: () => void = () => {};
    const invoke: Invoke = () => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      onStart();
      return new Promise((resolve) =>
        waiting.push(() => {
          inFlight--;
          resolve('x');
        }),
      );
    };
    const run = runEval(targets(10), { mode: 'scripted', concurrency: 3, invoke });
    // each time the pool is full (3, or what is left), finish one case
    for (let finished = 0; finished < 10; finished++) {
      const full = Math.min(3, 10 - finished);
      while (waiting.length < full) await new Promise<void>((r) => (onStart = r));
      expect(inFlight).toBe(full);
      waiting.shift()!();
    }
    const report = await run;
    expect(maxInFlight).toBe(3);
    expect(report.passed).toBe(10);
  });

  it('aborting cancels the cases in flight and skips the rest', async () => {
    const controller = new AbortController();
    const inFlight: string[] = [];
    let full: () => void = () => {};
    const filled = new Promise<void>((r) => (full = r));
    const invoke: Invoke = (_agent, input, signal) =>
      new Promise((_resolve, reject) => {
        inFlight.push(input);
        if (inFlight.length === 2) full();
        signal.addEventListener('abort', () => reject(new Error('cancelled by the caller')), { once: true });
      });
    const run = runEval(targets(5), { mode: 'scripted', concurrency: 2, invoke, signal: controller.signal });
    await filled;
    controller.abort();
    const report = await run;
    expect(inFlight).toHaveLength(2);
    expect(report.cases.map((c) => c.status)).toEqual(['cancelled', 'cancelled', 'cancelled', 'cancelled', 'cancelled']);
    expect(report.cancelled).toBe(5);
    expect(reportSucceeded(report)).toBe(false);
  });

  it('selects cases by agent and by any of the tags; an unknown agent is an error', () => {
    const ir = irOf(
      withCases(agent('a'), [evalCase('one', { tags: ['smoke'] }), evalCase('two', { tags: ['slow'] }), evalCase('three')]),
      withCases(agent('b'), [evalCase('four', { tags: ['smoke', 'x'] })]),
      agent('c'),
    );
    const names = (t: EvalTarget[]) => t.map((x) => `${x.agent}/${x.case.name}`);
    expect(names(selectCases(ir))).toEqual(['a/one', 'a/two', 'a/three', 'b/four']);
    expect(names(selectCases(ir, { tags: ['smoke', 'slow'] }))).toEqual(['a/one', 'a/two', 'b/four']);
    expect(names(selectCases(ir, { agent: 'b' }))).toEqual(['b/four']);
    expect(selectCases(ir, { agent: 'c' })).toEqual([]);
    expect(() => selectCases(ir, { agent: 'zz' })).toThrow(/No agent named "zz"; agents: a, b, c/);
  });
});
