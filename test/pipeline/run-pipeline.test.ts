/** The pipeline DAG executor: parallelism, fail-fast cancellation, templates, `when`, output labels, totals. */
import { describe, expect, it } from 'vitest';
import { AgentSpecError, ErrorCode } from '../../shared/errors.js';
import { runPipeline } from '../../shared/pipeline/run-pipeline.js';
import { FakeRuntime, echoScript, failingScript, pipelineOf, sleep, type AgentScript } from '../helpers/fake-runtime.js';

/** An agent that records when it ran and answers `<name>(<message>)` after `ms`. */
function timed(name: string, ms: number, log: { name: string; start: number; end: number }[]): AgentScript {
  return async function* (request) {
    const start = Date.now();
    await sleep(ms, request.signal);
    log.push({ name, start, end: Date.now() });
    yield { type: 'text', data: { text: `${name}(${request.message})` } };
  };
}

describe('runPipeline', () => {
  it('runs steps whose dependencies are met concurrently and joins them', async () => {
    // Prepare
    const log: { name: string; start: number; end: number }[] = [];
    const runtime = new FakeRuntime({ agents: { a: timed('a', 150, log), b: timed('b', 150, log), sum: timed('sum', 0, log) } });
    const pipeline = pipelineOf('review', [
      { name: 'analyze', agent: 'a', input: '{{trigger.diff}}', output: 'findings', parallel: true },
      { name: 'security', agent: 'b', input: '{{trigger.diff}}', output: 'vulns', parallel: true },
      { name: 'summary', agent: 'sum', depends_on: ['analyze', 'security'], input: 'F: {{steps.analyze.output}} V: {{steps.security.output}}' },
    ]);
    // Act
    const result = await runPipeline(runtime, pipeline, { diff: 'D' });
    // Assess
    const [a, b, sum] = ['a', 'b', 'sum'].map((n) => log.find((l) => l.name === n)!);
    expect(Math.max(a!.start, b!.start)).toBeLessThan(Math.min(a!.end, b!.end)); // overlapped
    expect(sum!.start).toBeGreaterThanOrEqual(Math.max(a!.end, b!.end));
    expect(result.status).toBe('succeeded');
    expect(result.steps.find((s) => s.name === 'summary')!.output).toBe('sum(F: a(D) V: b(D))');
    expect(result.tokens).toEqual({ input: 30, output: 15, cache_read: 0, cache_write: 0, total: 45 });
    expect(result.steps.every((s) => s.duration_ms >= 0 && s.tokens.total === 15)).toBe(true);
  });

  it('runs steps that are neither parallel nor dependent in order', async () => {
    const log: { name: string; start: number; end: number }[] = [];
    const runtime = new FakeRuntime({ agents: { one: timed('one', 30, log), two: timed('two', 0, log) } });
    await runPipeline(
      runtime,
      pipelineOf('seq', [
        { name: 's1', agent: 'one' },
        { name: 's2', agent: 'two' },
      ]),
      {},
    );
    expect(log.map((l) => l.name)).toEqual(['one', 'two']);
  });

  it('cancels every running step at the first failure and names the failed step', async () => {
    // Prepare
    const runtime = new FakeRuntime({
      agents: { slow: timed('slow', 5000, []), broken: failingScript(new AgentSpecError(ErrorCode.UpstreamError, 'model down'), 20), later: echoScript },
    });
    const pipeline = pipelineOf('p', [
      { name: 'long', agent: 'slow', parallel: true },
      { name: 'bad', agent: 'broken', parallel: true },
      { name: 'after', agent: 'later', depends_on: ['long', 'bad'] },
    ]);
    // Act
    const started = Date.now();
    const result = await runPipeline(runtime, pipeline, {});
    // Assess
    expect(Date.now() - started).toBeLessThan(2000);
    expect(result.status).toBe('failed');
    expect(result.failed_step).toBe('bad');
    expect(result.steps.map((s) => [s.name, s.status])).toEqual([
      ['long', 'cancelled'],
      ['bad', 'failed'],
      ['after', 'cancelled'],
    ]);
    expect(result.steps[1]!.error).toEqual({ error: 'upstream_error', message: 'model down' });
    expect(runtime.calls.find((c) => c.agent === 'slow')!.aborted).toBe(true);
    expect(runtime.calls.some((c) => c.agent === 'later')).toBe(false);
  });

  it('renders nested trigger paths, JSON for objects and empty text for missing values', async () => {
    const runtime = new FakeRuntime();
    const pipeline = pipelineOf('t', [{ name: 's', agent: 'echo', input: '{{ trigger.user.name }}|{{trigger.tags}}|{{trigger.missing.x}}|{{trigger.n}}' }]);
    const result = await runPipeline(runtime, pipeline, { user: { name: 'Ada' }, tags: ['a', 'b'], n: 3 });
    expect(result.steps[0]!.output).toBe('echo: Ada|["a","b"]||3');
  });

  it('passes an earlier step output when input names its output label', async () => {
    const runtime = new FakeRuntime();
    const pipeline = pipelineOf('labels', [
      { name: 'first', agent: 'echo', input: '{{trigger.q}}', output: 'draft', parallel: true },
      { name: 'second', agent: 'echo', input: 'draft', parallel: true },
    ]);
    const result = await runPipeline(runtime, pipeline, { q: 'x' });
    expect(result.steps[1]!.output).toBe('echo: echo: x');
  });

  it('skips a step whose `when` renders empty or "false", and runs it otherwise', async () => {
    const runtime = new FakeRuntime();
    const pipeline = pipelineOf('w', [
      { name: 'empty', agent: 'echo', when: '{{trigger.flag}}', parallel: true },
      { name: 'off', agent: 'echo', when: ' FALSE ', parallel: true },
      { name: 'on', agent: 'echo', when: '{{trigger.other}}', parallel: true },
    ]);
    const result = await runPipeline(runtime, pipeline, { other: 'yes' });
    expect(result.steps.map((s) => [s.name, s.status])).toEqual([
      ['empty', 'skipped'],
      ['off', 'skipped'],
      ['on', 'succeeded'],
    ]);
    expect(runtime.calls).toHaveLength(1);
  });

  it('passes the trigger as JSON to a step without input', async () => {
    const runtime = new FakeRuntime();
    const result = await runPipeline(runtime, pipelineOf('j', [{ name: 's', agent: 'echo' }]), { a: 1 });
    expect(result.steps[0]!.output).toBe('echo: {"a":1}');
  });

  it('fails the step that names an unknown agent', async () => {
    const runtime = new FakeRuntime();
    const result = await runPipeline(runtime, pipelineOf('u', [{ name: 's', agent: 'ghost' }]), {});
    expect(result).toMatchObject({ status: 'failed', failed_step: 's', steps: [{ status: 'failed', error: { error: 'not_found' } }] });
  });

  it('rejects a cycle and an unknown dependency with invalid_request', async () => {
    const runtime = new FakeRuntime();
    const cycle = pipelineOf('c', [
      { name: 'a', agent: 'echo', depends_on: ['b'] },
      { name: 'b', agent: 'echo', depends_on: ['a'] },
    ]);
    await expect(runPipeline(runtime, cycle, {})).rejects.toMatchObject({
      code: 'invalid_request',
      message: 'Pipeline "c" has a dependency cycle: a → b → a.',
    });
    await expect(runPipeline(runtime, pipelineOf('d', [{ name: 'a', agent: 'echo', depends_on: ['zz'] }]), {})).rejects.toMatchObject({
      code: 'invalid_request',
    });
  });

  it('throws cancelled and aborts running steps when the caller aborts', async () => {
    // Prepare: a step that says when it runs
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    const slow = timed('slow', 5000, []);
    const runtime = new FakeRuntime({
      agents: {
        slow: (request, agent) => {
          started();
          return slow(request, agent);
        },
      },
    });
    const controller = new AbortController();
    // Act: the caller aborts while the step runs
    const result = runPipeline(runtime, pipelineOf('x', [{ name: 's', agent: 'slow' }]), {}, controller.signal);
    await running;
    controller.abort();
    // Assess
    await expect(result).rejects.toMatchObject({ code: 'cancelled' });
    expect(runtime.calls[0]!.aborted).toBe(true);
  });
});
