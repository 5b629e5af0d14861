/**
 * The pipeline DAG executor. Steps whose dependencies have finished run
 * concurrently; the first failure aborts every running step (they end
 * `cancelled`) and no further step starts; the result names the failed step.
 */
import { performance } from 'node:perf_hooks';
import { AgentSpecError, ErrorCode, toAgentSpecError } from '../errors.js';
import type { IRPipeline, IRStep } from '../ir/types.js';
import type { AgentRuntime, TokenUsage } from '../loop/types.js';
import { planSteps } from './plan.js';
import { renderTemplate } from './template.js';
import type { PipelineResult, StepResult } from './types.js';

const ZERO_TOKENS: TokenUsage = Object.freeze({ input: 0, output: 0, cache_read: 0, cache_write: 0, total: 0 });

/**
 * Runs a pipeline to completion or first failure.
 * Throws `invalid_request` for a malformed graph and `cancelled` when `signal` aborts.
 */
export async function runPipeline(
  runtime: AgentRuntime,
  pipeline: IRPipeline,
  trigger: Record<string, unknown>,
  signal?: AbortSignal,
): Promise<PipelineResult> {
  const started = performance.now();
  const steps = pipeline.attributes.steps;
  const deps = planSteps(pipeline.name, steps);
  const labels = new Map(steps.filter((s) => s.output !== undefined).map((s) => [s.output!, s.name]));
  const controller = new AbortController();
  const onAbort = () => controller.abort(signal?.reason);
  signal?.addEventListener('abort', onAbort, { once: true });
  if (signal?.aborted) onAbort();

  const results = new Map<string, StepResult>();
  const outputs = new Map<string, string>();
  const running = new Map<string, Promise<void>>();
  let failedStep: string | undefined;

  const runStep = async (step: IRStep): Promise<void> => {
    const t0 = performance.now();
    const elapsed = () => Math.round(performance.now() - t0);
    const scope = { trigger, outputs };
    try {
      if (step.when !== undefined && isFalsy(renderTemplate(step.when, scope))) {
        results.set(step.name, { name: step.name, agent: step.agent, status: 'skipped', duration_ms: 0, tokens: ZERO_TOKENS });
        return;
      }
      if (!runtime.hasAgent(step.agent)) {
        throw new AgentSpecError(ErrorCode.NotFound, `Pipeline step "${step.name}" uses unknown agent "${step.agent}".`, {
          details: { step: step.name, agent: step.agent },
        });
      }
      const message = stepInput(step, labels, outputs, scope);
      const result = await runtime.invoke(step.agent, { message, signal: controller.signal });
      outputs.set(step.name, result.output);
      results.set(step.name, {
        name: step.name,
        agent: step.agent,
        status: 'succeeded',
        output: result.output,
        duration_ms: elapsed(),
        tokens: result.tokens,
      });
    } catch (thrown) {
      const error = toAgentSpecError(thrown);
      const cancelled = controller.signal.aborted;
      results.set(step.name, {
        name: step.name,
        agent: step.agent,
        status: cancelled ? 'cancelled' : 'failed',
        error: { error: error.code, message: error.message },
        duration_ms: elapsed(),
        tokens: ZERO_TOKENS,
      });
      if (!cancelled) {
        failedStep = step.name;
        controller.abort(error);
      }
    }
  };

  try {
    for (;;) {
      if (!controller.signal.aborted) {
        for (const step of steps) {
          if (results.has(step.name) || running.has(step.name)) continue;
          if ([...deps.get(step.name)!].every((d) => results.has(d))) {
            running.set(
              step.name,
              runStep(step).finally(() => running.delete(step.name)),
            );
          }
        }
      }
      if (running.size === 0) break;
      await Promise.race(running.values());
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }

  if (signal?.aborted) {
    throw new AgentSpecError(ErrorCode.Cancelled, `Pipeline "${pipeline.name}" was cancelled.`, { cause: signal.reason });
  }
  const ordered = steps.map((s) => results.get(s.name) ?? { name: s.name, agent: s.agent, status: 'cancelled' as const, duration_ms: 0, tokens: ZERO_TOKENS });
  return {
    pipeline: pipeline.name,
    status: failedStep === undefined ? 'succeeded' : 'failed',
    ...(failedStep === undefined ? {} : { failed_step: failedStep }),
    steps: ordered,
    duration_ms: Math.round(performance.now() - started),
    tokens: sumTokens(ordered.map((s) => s.tokens)),
  };
}

/** An `input` naming an earlier step's output label passes that output; otherwise it is a template; no input passes the trigger as JSON. */
function stepInput(step: IRStep, labels: Map<string, string>, outputs: Map<string, string>, scope: Parameters<typeof renderTemplate>[1]): string {
  if (step.input === undefined) return JSON.stringify(scope.trigger);
  const labelled = labels.get(step.input);
  if (labelled !== undefined && labelled !== step.name) return outputs.get(labelled) ?? '';
  return renderTemplate(step.input, scope);
}

function isFalsy(rendered: string): boolean {
  const value = rendered.trim().toLowerCase();
  return value === '' || value === 'false';
}

function sumTokens(all: TokenUsage[]): TokenUsage {
  const total = { input: 0, output: 0, cache_read: 0, cache_write: 0, total: 0 };
  for (const t of all) {
    total.input += t.input;
    total.output += t.output;
    total.cache_read += t.cache_read;
    total.cache_write += t.cache_write;
    total.total += t.total;
  }
  return total;
}
