/**
 * The playground's Eval tab: lists the package's eval cases per agent and
 * runs one agent's cases on the dev server (`POST /v1/agents/{name}/eval`,
 * SSE), filling in each row's score and result as the case finishes. The
 * cases run against the models the server runs, not a scripted one.
 */
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import type { CaseResult, EvalCase, EvalReport } from '../../shared/eval/types.js';

type Report = Pick<EvalReport, 'total' | 'passed' | 'pass_rate' | 'duration_ms'>;

export interface EvalTabHooks {
  headers: () => Record<string, string>;
  api: <T>(path: string, init?: RequestInit) => Promise<T>;
}

const STYLE = `
main[hidden], #eval-panel[hidden] { display: none; }
#eval-panel { margin: 16px; height: calc(100vh - 86px); overflow: auto; }
#eval-panel .eval-bar { display: flex; gap: 8px; align-items: center; margin-bottom: 8px; }
#eval-panel table { border-collapse: collapse; width: 100%; font-size: 13px; }
#eval-panel th, #eval-panel td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
#eval-panel td.input { max-width: 320px; white-space: pre-wrap; }
#eval-panel tr[data-status='passed'] .result { color: var(--ok); }
#eval-panel tr[data-status='failed'] .result, #eval-panel tr[data-status='error'] .result { color: var(--err); font-weight: 600; }
`;

const LABEL: Record<CaseResult['status'] | 'running' | 'queued', string> = {
  passed: 'pass',
  failed: 'FAIL',
  error: 'ERROR',
  cancelled: 'cancelled',
  running: 'running…',
  queued: '',
};

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

function cell(row: HTMLTableRowElement, className: string, text: string): HTMLTableCellElement {
  const td = row.insertCell();
  td.className = className;
  td.textContent = text;
  return td;
}

/** Wires the Eval tab: the header button toggles between the chat and the eval panel. */
export function setupEvalTab(hooks: EvalTabHooks): void {
  const style = document.createElement('style');
  style.textContent = STYLE;
  document.head.append(style);
  const panel = $('eval-panel');
  panel.innerHTML = `
    <div class="eval-bar">
      <label>Agent <select id="eval-agent" aria-label="eval agent"></select></label>
      <button id="eval-run" type="button">Run</button>
      <span id="eval-summary" class="meta"></span>
    </div>
    <p class="label">Each case is one invocation of the agent with the models this server runs; the answers are scored as <code>agentspec eval --live</code> does (semantic: word overlap here).</p>
    <table id="eval-cases"><thead><tr><th>Case</th><th>Input</th><th>Scoring</th><th>Threshold</th><th>Tags</th><th>Score</th><th>Result</th><th>Duration</th></tr></thead><tbody></tbody></table>`;
  let cases = new Map<string, EvalCase[]>();
  let running: AbortController | undefined;

  const renderCases = () => {
    const agent = $<HTMLSelectElement>('eval-agent').value;
    const body = panel.querySelector('tbody')!;
    body.innerHTML = '';
    for (const c of cases.get(agent) ?? []) {
      const row = body.insertRow();
      row.dataset.case = c.name;
      row.dataset.status = 'queued';
      cell(row, 'name', c.name);
      cell(row, 'input', c.input);
      cell(row, 'scoring', c.scoring);
      cell(row, 'threshold', c.threshold.toFixed(2));
      cell(row, 'tags', c.tags.join(', '));
      cell(row, 'score', '');
      cell(row, 'result', '');
      cell(row, 'duration', '');
    }
    $('eval-summary').textContent = cases.size === 0 ? 'This package declares no eval cases.' : '';
  };

  const loadCases = async () => {
    const listed = await hooks.api<{ agents: { agent: string; cases: EvalCase[] }[] }>('/v1/eval');
    cases = new Map(listed.agents.map((a) => [a.agent, a.cases]));
    const select = $<HTMLSelectElement>('eval-agent');
    const previous = select.value;
    select.innerHTML = '';
    for (const agent of cases.keys()) {
      const option = document.createElement('option');
      option.value = option.textContent = agent;
      select.append(option);
    }
    if (cases.has(previous)) select.value = previous;
    $<HTMLButtonElement>('eval-run').disabled = cases.size === 0;
    renderCases();
  };

  const update = (name: string, status: keyof typeof LABEL, result?: CaseResult) => {
    const row = panel.querySelector<HTMLTableRowElement>(`tr[data-case="${CSS.escape(name)}"]`);
    if (!row) return;
    row.dataset.status = status;
    row.querySelector('.result')!.textContent = LABEL[status];
    if (result) {
      row.querySelector('.score')!.textContent = result.score.toFixed(2);
      row.querySelector('.duration')!.textContent = `${result.duration_ms} ms`;
      row.title = result.error ?? `answer: ${result.output ?? ''}`;
    }
  };

  const run = async () => {
    const agent = $<HTMLSelectElement>('eval-agent').value;
    if (!agent || running) return;
    renderCases();
    running = new AbortController();
    $<HTMLButtonElement>('eval-run').disabled = true;
    $('eval-summary').textContent = 'running…';
    try {
      const response = await fetch(`/v1/agents/${encodeURIComponent(agent)}/eval`, {
        method: 'POST',
        headers: hooks.headers(),
        body: '{}',
        signal: running.signal,
      });
      if (!response.ok || !response.body) {
        const error = await response.json().catch(() => ({ message: `HTTP ${response.status}` }));
        throw new Error(error.message);
      }
      const parser = createParser({
        onEvent(msg: EventSourceMessage) {
          const data = JSON.parse(msg.data);
          if (msg.event === 'case_start') update(data.name, 'running');
          else if (msg.event === 'case_end') update(data.name, data.status, data as CaseResult);
          else if (msg.event === 'done') {
            const report = data as Report;
            $('eval-summary').textContent = `${report.passed}/${report.total} passed (${(report.pass_rate * 100).toFixed(1)}%) · ${report.duration_ms} ms`;
          } else if (msg.event === 'error') $('eval-summary').textContent = `${data.error}: ${data.message}`;
        },
      });
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        parser.feed(value);
      }
    } catch (error) {
      $('eval-summary').textContent = error instanceof Error ? error.message : String(error);
    } finally {
      running = undefined;
      $<HTMLButtonElement>('eval-run').disabled = false;
    }
  };

  const toggle = $<HTMLButtonElement>('tab-eval');
  toggle.addEventListener('click', () => {
    const showEval = panel.hidden;
    panel.hidden = !showEval;
    document.querySelector('main')!.hidden = showEval;
    toggle.textContent = showEval ? 'Chat' : 'Eval';
    toggle.setAttribute('aria-pressed', String(showEval));
    if (showEval) void loadCases().catch((error: unknown) => ($('eval-summary').textContent = error instanceof Error ? error.message : String(error)));
  });
  $('eval-agent').addEventListener('change', renderCases);
  $('eval-run').addEventListener('click', () => void run());
}
