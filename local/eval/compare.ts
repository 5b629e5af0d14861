/**
 * `--compare-to`: a run measured against an earlier report. Cases are matched
 * by agent and name. A regression is a case that passed before and does not
 * now, or whose score fell by more than 0.01; an improvement the reverse.
 * Reads our JSON report and also the original toolchain's JSON report (one
 * agent's `{agent_name, cases: [{name, score, passed}]}`).
 */
import { AgentSpecError, ErrorCode } from '../../shared/errors.js';
import type { EvalReport } from '../../shared/eval/types.js';

const TOLERANCE = 0.01;

export interface PreviousCase {
  agent: string;
  name: string;
  score: number;
  passed: boolean;
}

export interface CaseChange {
  agent: string;
  name: string;
  before: { score: number; passed: boolean };
  now: { score: number; passed: boolean; status: string };
}

export interface Comparison {
  regressions: CaseChange[];
  improvements: CaseChange[];
  /** cases of the earlier report this run did not run */
  missing: PreviousCase[];
  pass_rate: { before: number; now: number };
}

/** The cases of an earlier report, from its parsed JSON. Throws `input_error` for anything else. */
export function previousCases(json: unknown, source: string): PreviousCase[] {
  const bad = (why: string) => new AgentSpecError(ErrorCode.InputError, `${source} is not an eval report: ${why}.`);
  if (typeof json !== 'object' || json === null || !Array.isArray((json as { cases?: unknown }).cases)) throw bad('it has no "cases" list');
  const doc = json as { cases: unknown[]; agent_name?: unknown };
  return doc.cases.map((raw, i) => {
    const c = raw as { agent?: unknown; name?: unknown; score?: unknown; passed?: unknown };
    const agent = typeof c.agent === 'string' ? c.agent : typeof doc.agent_name === 'string' ? doc.agent_name : undefined;
    if (agent === undefined || typeof c.name !== 'string' || typeof c.score !== 'number' || typeof c.passed !== 'boolean') {
      throw bad(`case ${i + 1} needs agent, name, score and passed`);
    }
    return { agent, name: c.name, score: c.score, passed: c.passed };
  });
}

export function compareReports(current: EvalReport, previous: PreviousCase[]): Comparison {
  const key = (agent: string, name: string) => `${agent}\u0000${name}`;
  const before = new Map(previous.map((p) => [key(p.agent, p.name), p]));
  const ran = new Set<string>();
  const regressions: CaseChange[] = [];
  const improvements: CaseChange[] = [];
  for (const c of current.cases) {
    const k = key(c.agent, c.name);
    ran.add(k);
    const prev = before.get(k);
    if (!prev) continue;
    const change: CaseChange = {
      agent: c.agent,
      name: c.name,
      before: { score: prev.score, passed: prev.passed },
      now: { score: c.score, passed: c.passed, status: c.status },
    };
    if ((prev.passed && !c.passed) || c.score < prev.score - TOLERANCE) regressions.push(change);
    else if ((!prev.passed && c.passed) || c.score > prev.score + TOLERANCE) improvements.push(change);
  }
  const passedBefore = previous.filter((p) => p.passed).length;
  return {
    regressions,
    improvements,
    missing: previous.filter((p) => !ran.has(key(p.agent, p.name))),
    pass_rate: { before: previous.length === 0 ? 1 : passedBefore / previous.length, now: current.pass_rate },
  };
}

export function formatComparison(comparison: Comparison): string {
  const line = (sign: string, c: CaseChange) =>
    `  ${sign} ${c.agent}/${c.name}: ${c.before.score.toFixed(2)} ${c.before.passed ? 'pass' : 'fail'} → ${c.now.score.toFixed(2)} ${c.now.passed ? 'pass' : c.now.status}`;
  const pct = (r: number) => `${(r * 100).toFixed(1)}%`;
  return `${[
    `Compared with the earlier report: pass rate ${pct(comparison.pass_rate.before)} → ${pct(comparison.pass_rate.now)}`,
    `Regressions: ${comparison.regressions.length}`,
    ...comparison.regressions.map((c) => line('-', c)),
    `Improvements: ${comparison.improvements.length}`,
    ...comparison.improvements.map((c) => line('+', c)),
    ...(comparison.missing.length ? [`Not run this time: ${comparison.missing.map((m) => `${m.agent}/${m.name}`).join(', ')}`] : []),
  ].join('\n')}\n`;
}
