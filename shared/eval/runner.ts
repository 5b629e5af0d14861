/**
 * Runs eval cases: each case's input goes through `invoke` (the normal
 * runtime path), its answer is scored, and the results are gathered into a
 * report. Cases run concurrently up to a bound; aborting the signal cancels
 * the cases in flight and skips the rest.
 */
import { toAgentSpecError } from '../errors.js';
import { runBounded } from './bounded.js';
import { runInCase } from './case-context.js';
import { evaluateCustom } from './custom-expression.js';
import { score, type ScoreOptions } from './scoring.js';
import type { CaseResult, EvalMode, EvalReport, EvalTarget } from './types.js';

/** Runs one agent on one input; resolves to the answer's text. */
export type Invoke = (agent: string, input: string, signal: AbortSignal) => Promise<string>;

export interface RunEvalOptions {
  invoke: Invoke;
  mode: EvalMode;
  /** cases in flight at once (default 4) */
  concurrency?: number;
  /** the pass rate the run needs (default 1: every case) */
  requiredPassRate?: number;
  signal?: AbortSignal;
  /** the live judge; `custom` expressions use the expression language unless replaced */
  scoring?: Omit<ScoreOptions, 'signal'>;
  /** called as each case starts and ends (progress, the playground's live table) */
  onStart?: (target: EvalTarget) => void;
  onResult?: (result: CaseResult) => void;
  now?: () => number;
}

export const DEFAULT_CONCURRENCY = 4;

export async function runEval(targets: readonly EvalTarget[], options: RunEvalOptions): Promise<EvalReport> {
  const now = options.now ?? Date.now;
  const started = now();
  const signal = options.signal ?? new AbortController().signal;
  const run = async (target: EvalTarget): Promise<CaseResult> => {
    options.onStart?.(target);
    const result = await runCase(target, options, signal, now);
    options.onResult?.(result);
    return result;
  };
  const skip = (target: EvalTarget): CaseResult => {
    const result = { ...base(target), status: 'cancelled' as const, score: 0, passed: false, duration_ms: 0 };
    options.onResult?.(result);
    return result;
  };
  const cases = await runBounded(targets, options.concurrency ?? DEFAULT_CONCURRENCY, run, skip, signal);
  return summarise(cases, options.mode, options.requiredPassRate ?? 1, new Date(started).toISOString(), now() - started);
}

async function runCase(target: EvalTarget, options: RunEvalOptions, signal: AbortSignal, now: () => number): Promise<CaseResult> {
  const started = now();
  const head = base(target);
  let output: string | undefined;
  try {
    // scoring runs in the case too: a live judge asks the case's agent's model
    const [answer, value] = await runInCase(target, async () => {
      const text = await options.invoke(target.agent, target.case.input, signal);
      output = text;
      return [
        text,
        await score(
          target.case.scoring,
          { input: target.case.input, output: text, expect: target.case.expect ?? '' },
          { evaluate: evaluateCustom, ...options.scoring, signal },
        ),
      ] as const;
    });
    const passed = value >= target.case.threshold;
    return { ...head, status: passed ? 'passed' : 'failed', score: value, passed, output: answer, duration_ms: now() - started };
  } catch (error) {
    const status = signal.aborted ? 'cancelled' : 'error';
    return {
      ...head,
      status,
      score: 0,
      passed: false,
      ...(output === undefined ? {} : { output }),
      error: describe(error),
      duration_ms: now() - started,
    };
  }
}

function base(target: EvalTarget): Omit<CaseResult, 'status' | 'score' | 'passed' | 'duration_ms'> {
  const c = target.case;
  return {
    agent: target.agent,
    name: c.name,
    input: c.input,
    ...(c.expect === undefined ? {} : { expect: c.expect }),
    scoring: c.scoring,
    threshold: c.threshold,
    tags: [...c.tags],
  };
}

/** The report of a set of case results. */
export function summarise(cases: CaseResult[], mode: EvalMode, requiredPassRate: number, startedAt: string, durationMs: number): EvalReport {
  const count = (status: CaseResult['status']) => cases.filter((c) => c.status === status).length;
  const passed = count('passed');
  return {
    format: 'agentspec-eval',
    version: 1,
    mode,
    started_at: startedAt,
    duration_ms: durationMs,
    total: cases.length,
    passed,
    failed: count('failed'),
    errors: count('error'),
    cancelled: count('cancelled'),
    pass_rate: cases.length === 0 ? 1 : passed / cases.length,
    required_pass_rate: requiredPassRate,
    cases,
  };
}

/** Whether a run succeeded: nothing errored or was cancelled and the pass rate reached what was required. */
export function reportSucceeded(report: EvalReport): boolean {
  return report.errors === 0 && report.cancelled === 0 && report.pass_rate >= report.required_pass_rate;
}

/** `code: message` of a failure (an error that is not an AgentSpecError shows as internal, its text withheld). */
function describe(error: unknown): string {
  const known = toAgentSpecError(error);
  return `${known.code}: ${known.message}`;
}
