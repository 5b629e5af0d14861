/**
 * An eval report in the formats `agentspec eval --format` offers: `text` (a
 * table, failure details and the pass rate), `json` (the report object, which
 * `--compare-to` reads back) and `junit` (JUnit XML for CI: one test suite per
 * agent; a failed case is a <failure>, an errored or cancelled one an <error>).
 */
import type { CaseResult, EvalReport } from '../../shared/eval/types.js';

export const REPORT_FORMATS = ['text', 'json', 'junit'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export function formatReport(report: EvalReport, format: ReportFormat): string {
  switch (format) {
    case 'text':
      return formatText(report);
    case 'json':
      return `${JSON.stringify(report, null, 2)}\n`;
    case 'junit':
      return formatJunit(report);
  }
}

const RESULT_LABEL: Record<CaseResult['status'], string> = { passed: 'pass', failed: 'FAIL', error: 'ERROR', cancelled: 'cancelled' };

export function formatText(report: EvalReport): string {
  if (report.total === 0) return 'No eval cases to run.\n';
  const rows = [
    ['CASE', 'AGENT', 'SCORING', 'SCORE', 'THRESHOLD', 'RESULT', 'DURATION'],
    ...report.cases.map((c) => [c.name, c.agent, c.scoring, c.score.toFixed(2), c.threshold.toFixed(2), RESULT_LABEL[c.status], `${c.duration_ms} ms`]),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const lines = rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  '));
  const details = report.cases
    .filter((c) => c.status !== 'passed')
    .flatMap((c) => [
      `${RESULT_LABEL[c.status]} ${c.agent}/${c.name}`,
      ...(c.error ? [`  error:    ${c.error}`] : []),
      ...(c.status === 'failed' ? [`  expected: ${oneLine(c.expect ?? '')}`, `  actual:   ${oneLine(c.output ?? '')}`] : []),
    ]);
  const summary =
    `${report.passed}/${report.total} passed (${percent(report.pass_rate)}), required ${percent(report.required_pass_rate)}` +
    `${report.errors ? `, ${report.errors} errored` : ''}${report.cancelled ? `, ${report.cancelled} cancelled` : ''}` +
    ` · ${report.mode === 'live' ? 'live models' : 'scripted model'} · ${report.duration_ms} ms`;
  return `${[...lines, ...(details.length ? ['', ...details] : []), '', summary].join('\n')}\n`;
}

export function formatJunit(report: EvalReport): string {
  const agents = [...new Set(report.cases.map((c) => c.agent))];
  const seconds = (ms: number) => (ms / 1000).toFixed(3);
  const counts = (cases: CaseResult[]) =>
    `tests="${cases.length}" failures="${cases.filter((c) => c.status === 'failed').length}" errors="${cases.filter((c) => c.status === 'error' || c.status === 'cancelled').length}"`;
  const out = ['<?xml version="1.0" encoding="UTF-8"?>', `<testsuites name="agentspec eval" ${counts(report.cases)} time="${seconds(report.duration_ms)}">`];
  for (const agent of agents) {
    const cases = report.cases.filter((c) => c.agent === agent);
    const time = cases.reduce((sum, c) => sum + c.duration_ms, 0);
    out.push(`  <testsuite name="${xml(agent)}" ${counts(cases)} skipped="0" time="${seconds(time)}" timestamp="${xml(report.started_at)}">`);
    for (const c of cases) {
      const open = `    <testcase classname="${xml(agent)}" name="${xml(c.name)}" time="${seconds(c.duration_ms)}"`;
      const props = `      <properties><property name="scoring" value="${xml(c.scoring)}"/><property name="score" value="${c.score}"/><property name="threshold" value="${c.threshold}"/></properties>`;
      if (c.status === 'passed') {
        out.push(`${open}>`, props, '    </testcase>');
      } else if (c.status === 'failed') {
        const message = `score ${c.score.toFixed(2)} is below the threshold ${c.threshold.toFixed(2)} (${c.scoring})`;
        out.push(
          `${open}>`,
          props,
          `      <failure message="${xml(message)}" type="${xml(c.scoring)}">${xml(`expected: ${c.expect ?? ''}\nactual: ${c.output ?? ''}`)}</failure>`,
          '    </testcase>',
        );
      } else {
        const message = c.status === 'cancelled' ? 'cancelled' : (c.error ?? 'error');
        out.push(`${open}>`, props, `      <error message="${xml(message)}" type="${c.status}"/>`, '    </testcase>');
      }
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>');
  return `${out.join('\n')}\n`;
}

/** Text safe in XML attributes and content; characters XML 1.0 cannot carry are dropped. */
function xml(text: string): string {
  return text
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&apos;');
}

function oneLine(text: string, max = 200): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

function percent(rate: number): string {
  return `${(rate * 100).toFixed(rate === 1 || rate === 0 ? 0 : 1)}%`;
}
