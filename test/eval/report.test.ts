/** The text, JSON and JUnit reports, and `--compare-to` regressions. */
import { describe, expect, it } from 'vitest';
import { compareReports, formatComparison, previousCases } from '../../local/eval/compare.js';
import { formatReport } from '../../local/eval/report.js';
import { summarise } from '../../shared/eval/runner.js';
import type { CaseResult, CaseStatus } from '../../shared/eval/types.js';
import { parseXml } from './xml.js';

const result = (agent: string, name: string, status: CaseStatus, score: number, more: Partial<CaseResult> = {}): CaseResult => ({
  agent,
  name,
  input: 'in',
  expect: 'want <b> & "q"',
  scoring: 'contains',
  threshold: 0.8,
  tags: [],
  status,
  score,
  passed: status === 'passed',
  output: 'got',
  duration_ms: 1500,
  ...more,
});

const report = summarise(
  [
    result('support', 'greets', 'passed', 1),
    result('support', 'refund', 'failed', 0.4, { output: 'no \u0001 <refund> & sorry' }),
    result('billing', 'totals', 'error', 0, { error: 'upstream_error: model unreachable' }),
    result('billing', 'late', 'cancelled', 0),
  ],
  'scripted',
  0.75,
  '2026-01-01T00:00:00.000Z',
  3210,
);

describe('eval reports', () => {
  it('text: one row per case with score, threshold, result and duration, the failures in detail, then the pass rate', () => {
    const text = formatReport(report, 'text');
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^CASE\s+AGENT\s+SCORING\s+SCORE\s+THRESHOLD\s+RESULT\s+DURATION$/);
    expect(lines[1]).toMatch(/^greets\s+support\s+contains\s+1\.00\s+0\.80\s+pass\s+1500 ms$/);
    expect(lines[2]).toMatch(/^refund\s+support\s+contains\s+0\.40\s+0\.80\s+FAIL\s+1500 ms$/);
    expect(text).toContain('FAIL support/refund\n  expected: want <b> & "q"\n  actual:   no \u0001 <refund> & sorry');
    expect(text).toContain('ERROR billing/totals\n  error:    upstream_error: model unreachable');
    expect(text).toContain('1/4 passed (25.0%), required 75.0%, 1 errored, 1 cancelled · scripted model · 3210 ms');
  });

  it('json: the report object itself, which compare-to reads back', () => {
    const json = JSON.parse(formatReport(report, 'json'));
    expect(json).toEqual(JSON.parse(JSON.stringify(report)));
    expect(json).toMatchObject({ format: 'agentspec-eval', version: 1, total: 4, passed: 1, failed: 1, errors: 1, cancelled: 1, pass_rate: 0.25 });
    expect(previousCases(json, 'prev.json')).toHaveLength(4);
  });

  it('junit: well-formed XML with one suite per agent and the right counts; failures and errors carry their reasons', () => {
    const root = parseXml(formatReport(report, 'junit'));
    expect(root.name).toBe('testsuites');
    expect(root.attrs).toMatchObject({ tests: '4', failures: '1', errors: '2', time: '3.210' });
    expect(root.children.map((s) => [s.attrs.name, s.attrs.tests, s.attrs.failures, s.attrs.errors])).toEqual([
      ['support', '2', '1', '0'],
      ['billing', '2', '0', '2'],
    ]);
    const [greets, refund] = root.children[0]!.children;
    expect(greets!.attrs).toEqual({ classname: 'support', name: 'greets', time: '1.500' });
    expect(greets!.children.map((c) => c.name)).toEqual(['properties']);
    const failure = refund!.children.find((c) => c.name === 'failure')!;
    expect(failure.attrs.message).toBe('score 0.40 is below the threshold 0.80 (contains)');
    // markup in answers is escaped, characters XML cannot carry are dropped
    expect(failure.text).toBe('expected: want <b> & "q"\nactual: no  <refund> & sorry');
    const errors = root.children[1]!.children.map((c) => c.children.find((x) => x.name === 'error')!.attrs);
    expect(errors).toEqual([
      { message: 'upstream_error: model unreachable', type: 'error' },
      { message: 'cancelled', type: 'cancelled' },
    ]);
  });

  it('an empty run says so', () => {
    expect(formatReport(summarise([], 'live', 1, '2026-01-01T00:00:00.000Z', 0), 'text')).toBe('No eval cases to run.\n');
  });
});

describe('compare-to', () => {
  const now = summarise(
    [
      result('a', 'was-passing', 'failed', 0.5),
      result('a', 'dropped', 'passed', 0.85),
      result('a', 'steady', 'passed', 0.9),
      result('a', 'fixed', 'passed', 1),
      result('a', 'new-case', 'passed', 1),
    ],
    'scripted',
    1,
    '2026-01-02T00:00:00.000Z',
    10,
  );
  const before = [
    { agent: 'a', name: 'was-passing', score: 1, passed: true },
    { agent: 'a', name: 'dropped', score: 0.95, passed: true },
    { agent: 'a', name: 'steady', score: 0.905, passed: true },
    { agent: 'a', name: 'fixed', score: 0.2, passed: false },
    { agent: 'a', name: 'gone', score: 1, passed: true },
  ];

  it('a pass turned fail and a score drop over 0.01 are regressions; within 0.01 is no change', () => {
    const comparison = compareReports(now, before);
    expect(comparison.regressions.map((c) => c.name)).toEqual(['was-passing', 'dropped']);
    expect(comparison.improvements.map((c) => c.name)).toEqual(['fixed']);
    expect(comparison.missing.map((c) => c.name)).toEqual(['gone']);
    expect(comparison.pass_rate).toEqual({ before: 0.8, now: 0.8 });
    const text = formatComparison(comparison);
    expect(text).toContain('Regressions: 2\n  - a/was-passing: 1.00 pass → 0.50 failed\n  - a/dropped: 0.95 pass → 0.85 pass');
    expect(text).toContain('Improvements: 1\n  + a/fixed: 0.20 fail → 1.00 pass');
    expect(text).toContain('Not run this time: a/gone');
  });

  it('reads the original toolchain’s report (agent_name at the top) and refuses anything else', () => {
    expect(previousCases({ agent_name: 'bot', cases: [{ name: 'c', score: 0.5, passed: false }] }, 'old.json')).toEqual([
      { agent: 'bot', name: 'c', score: 0.5, passed: false },
    ]);
    expect(() => previousCases({ results: [] }, 'x.json')).toThrow('x.json is not an eval report: it has no "cases" list.');
    expect(() => previousCases({ cases: [{ name: 'c' }] }, 'x.json')).toThrow(/case 1 needs agent, name, score and passed/);
  });
});
