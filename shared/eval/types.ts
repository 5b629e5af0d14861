/**
 * The shapes of an eval run: a declared case (as the IR carries it), the
 * result of running and scoring one, and the report of a whole run (what
 * `--format json` writes and `--compare-to` reads back).
 */

/** One `eval` case of an agent, as in `Agent.attributes.eval`. */
export interface EvalCase {
  name: string;
  input: string;
  expect?: string;
  /** as written: exact, contains, semantic, regex or custom */
  scoring: string;
  /** the score a case needs to pass, 0..1 (the language's default is 0.8) */
  threshold: number;
  tags: string[];
}

/** A case together with the agent that declares it. */
export interface EvalTarget {
  agent: string;
  case: EvalCase;
}

export type CaseStatus = 'passed' | 'failed' | 'error' | 'cancelled';

/** A case's declaration with what running it gave. */
export interface CaseResult extends EvalCase {
  agent: string;
  status: CaseStatus;
  /** 0..1; 0 when the case errored or was cancelled */
  score: number;
  passed: boolean;
  /** the agent's answer, when it gave one */
  output?: string;
  /** why the case errored (invocation or scoring) */
  error?: string;
  duration_ms: number;
}

/** Where the answers came from: the shipped scripted model or the real providers. */
export type EvalMode = 'scripted' | 'live';

export interface EvalReport {
  format: 'agentspec-eval';
  version: 1;
  mode: EvalMode;
  started_at: string;
  duration_ms: number;
  total: number;
  passed: number;
  failed: number;
  errors: number;
  cancelled: number;
  /** passed / total (1 when no case ran) */
  pass_rate: number;
  /** the pass rate the run needed */
  required_pass_rate: number;
  cases: CaseResult[];
}
