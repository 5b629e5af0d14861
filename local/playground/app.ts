/**
 * The playground page's script (runs in the browser; bundled by
 * build-playground.ts). Talks to the HTTP API through the typed client: lists
 * agents and pipelines, sends the agent's prompt variables, streams a run
 * (resumed by the client if the connection drops), shows tool calls with
 * their inputs, outputs and durations, shows pending approvals with Approve /
 * Reject and follows the resumed run, keeps a session, and runs pipelines.
 */
import { AgentSpecClient, type AgentSummary, type ClientEvent, type PendingApproval, type RunStream } from 'agentspec-runtime/client';
import { setupEvalTab } from './eval-tab.js';

interface ToolCall {
  id: string;
  name: string;
  input: unknown;
  output?: unknown;
  error?: string;
  status?: string;
  duration_ms?: number;
}

type Scalar = string | number | boolean;

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const state: {
  sessionId: string | undefined;
  busy: boolean;
  agents: AgentSummary[];
  /** the run whose approvals are shown, and where its stream stopped */
  run: { id: string; lastEventId: number } | undefined;
} = { sessionId: undefined, busy: false, agents: [], run: undefined };

function apiKey(): string {
  const key = $<HTMLInputElement>('api-key').value.trim();
  localStorage.setItem('agentspec-api-key', key);
  return key;
}

function client(): AgentSpecClient {
  const key = apiKey();
  return new AgentSpecClient({ baseUrl: location.origin, apiKey: key || undefined });
}

function headers(): Record<string, string> {
  const key = apiKey();
  return { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) };
}

/** A plain JSON call, for the Eval tab's routes the client does not cover. */
async function api<T>(path: string, init: RequestInit = {}): Promise<T> {
  const response = await fetch(path, { ...init, headers: { ...headers(), ...(init.headers ?? {}) } });
  const body = response.status === 204 ? undefined : await response.json();
  if (!response.ok) throw new Error(body?.message ?? `HTTP ${response.status}`);
  return body as T;
}

function el(tag: string, className: string, text = ''): HTMLElement {
  const node = document.createElement(tag);
  node.className = className;
  node.textContent = text;
  return node;
}

function pretty(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value, null, 2);
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function addMessage(role: 'user' | 'assistant' | 'error', text: string): HTMLElement {
  const bubble = el('div', `msg ${role}`, text);
  bubble.dataset.role = role;
  $('messages').append(bubble);
  bubble.scrollIntoView({ block: 'end' });
  return bubble;
}

function renderToolCall(call: ToolCall): void {
  let card = document.querySelector<HTMLElement>(`[data-call="${CSS.escape(call.id)}"]`);
  if (!card) {
    card = el('details', 'tool');
    card.dataset.call = call.id;
    $('messages').append(card);
  }
  const status = call.status ?? 'running';
  card.dataset.status = status;
  card.innerHTML = '';
  card.append(el('summary', 'tool-head', `tool ${call.name} — ${status}${call.duration_ms !== undefined ? ` in ${call.duration_ms} ms` : ''}`));
  card.append(el('div', 'label', 'input'), el('pre', 'tool-input', pretty(call.input)));
  if (call.output !== undefined) card.append(el('div', 'label', 'output'), el('pre', 'tool-output', pretty(call.output)));
  if (call.error) card.append(el('div', 'label', 'error'), el('pre', 'tool-error', call.error));
}

/** A pending approval: the tool, its input, Approve, and Reject with a reason. */
function renderApproval(approval: PendingApproval): void {
  const card = el('div', 'approval');
  card.dataset.approval = approval.id;
  card.dataset.status = 'pending';
  const reason = el('input', 'approval-reason') as HTMLInputElement;
  reason.placeholder = 'reason (told to the model)';
  reason.setAttribute('aria-label', 'rejection reason');
  const approve = el('button', 'approve', 'Approve') as HTMLButtonElement;
  const reject = el('button', 'reject secondary', 'Reject') as HTMLButtonElement;
  approve.type = reject.type = 'button';
  const outcome = el('span', 'approval-outcome meta');
  const bar = el('div', 'approval-bar');
  bar.append(approve, reason, reject, outcome);
  card.append(
    el('div', 'approval-head', `approval needed: tool ${approval.skill}`),
    el('div', 'label', 'input'),
    el('pre', 'approval-input', pretty(approval.input)),
    el('div', 'label', `expires ${new Date(approval.expires_at).toLocaleString()}`),
    bar,
  );
  approve.addEventListener('click', () => void decide(card, approval.id, 'approve', ''));
  reject.addEventListener('click', () => {
    const why = reason.value.trim();
    if (!why) {
      reason.placeholder = 'a reason is required to reject';
      reason.focus();
      return;
    }
    void decide(card, approval.id, 'reject', why);
  });
  $('messages').append(card);
  card.scrollIntoView({ block: 'end' });
}

async function decide(card: HTMLElement, approvalId: string, decision: 'approve' | 'reject', reason: string): Promise<void> {
  const run = state.run;
  if (!run || state.busy) return;
  for (const button of card.querySelectorAll('button')) button.disabled = true;
  const outcome = card.querySelector<HTMLElement>('.approval-outcome')!;
  try {
    const api = client();
    const answer =
      decision === 'approve' ? await api.approve(run.id, approvalId, { detach: true }) : await api.reject(run.id, approvalId, { reason, detach: true });
    card.dataset.status = decision === 'approve' ? 'approved' : 'rejected';
    outcome.textContent = decision === 'approve' ? 'approved' : `rejected: ${reason}`;
    // the decision that settles the last pending approval resumes the run: follow its log from where the stream stopped
    if (answer.status === 'running') await follow(() => api.runEvents(run.id, { after: run.lastEventId }));
  } catch (error) {
    outcome.textContent = message(error);
    for (const button of card.querySelectorAll('button')) button.disabled = false;
  }
}

/** Shows a run's events as they arrive. */
async function follow(open: () => RunStream): Promise<void> {
  state.busy = true;
  // Text bubbles are created as text arrives, so a tool call shows between the
  // text before it and the text after it, in the order things happened.
  let answer: HTMLElement | undefined;
  let answered = false;
  const appendText = (text: string) => {
    if (!answer) {
      answer = addMessage('assistant', '');
      answer.classList.add('streaming');
    }
    answer.textContent += text;
    answered = true;
  };
  const endText = () => {
    answer?.classList.remove('streaming');
    answer = undefined;
  };
  $('stats').textContent = 'running…';
  const events = open();
  const show = (event: ClientEvent) => {
    switch (event.type) {
      case 'run':
        $('run').textContent = `run ${event.data.run_id}`;
        break;
      case 'text':
        appendText(event.data.text);
        break;
      case 'tool_call_start':
      case 'tool_call_end':
        endText();
        renderToolCall(event.data);
        break;
      case 'approval_required':
        endText();
        renderApproval(event.data);
        break;
      case 'waiting':
        $('stats').textContent = `waiting for ${event.data.approvals.length} approval(s)`;
        break;
      case 'error':
        addMessage('error', `${event.data.error}: ${event.data.message}`);
        break;
      case 'done':
        $('stats').textContent = `${event.data.turns} turns · ${event.data.tokens.total} tokens · ${event.data.duration_ms} ms`;
        if (!answered && event.data.output) appendText(event.data.output);
        break;
    }
  };
  try {
    for await (const event of events) show(event);
  } catch (error) {
    addMessage('error', message(error));
  } finally {
    endText();
    if ($('stats').textContent === 'running…') $('stats').textContent = '';
    state.run = events.runId === undefined ? undefined : { id: events.runId, lastEventId: events.lastEventId };
    state.busy = false;
  }
}

/** The variables to send: the declared ones' fields, or free `name=value` lines. */
function variables(): Record<string, Scalar> {
  const values: Record<string, Scalar> = {};
  for (const field of document.querySelectorAll<HTMLInputElement>('#variable-fields input[data-var]')) {
    const raw = field.type === 'checkbox' ? String(field.checked) : field.value.trim();
    if (raw === '') continue;
    const type = field.dataset.type;
    values[field.dataset.var!] = type === 'number' ? Number(raw) : type === 'bool' ? raw === 'true' : raw;
  }
  for (const line of $<HTMLTextAreaElement>('variables').value.split('\n')) {
    const at = line.indexOf('=');
    if (at > 0) values[line.slice(0, at).trim()] = line.slice(at + 1).trim();
  }
  return values;
}

/** Fields for the selected agent's prompt variables; free `name=value` lines for a server that does not list them. */
function showVariables(): void {
  const agent = state.agents.find((a) => a.name === $<HTMLSelectElement>('agent').value);
  const declared = agent?.variables;
  const fields = $('variable-fields');
  fields.innerHTML = '';
  for (const variable of declared ?? []) {
    const label = el('label', 'variable', variable.name);
    const input = el('input', '') as HTMLInputElement;
    input.dataset.var = variable.name;
    input.dataset.type = variable.type;
    if (variable.type === 'bool') input.type = 'checkbox';
    if (variable.type === 'number') input.type = 'number';
    if (variable.default !== undefined) input.placeholder = String(variable.default);
    input.required = variable.required === true && variable.default === undefined;
    label.append(input);
    fields.append(label);
  }
  $('variables').hidden = declared !== undefined;
  $('variables-panel').hidden = declared !== undefined && declared.length === 0;
}

async function send(event: Event): Promise<void> {
  event.preventDefault();
  const input = $<HTMLTextAreaElement>('message');
  const text = input.value.trim();
  const agent = $<HTMLSelectElement>('agent').value;
  if (!text || !agent || state.busy) return;
  input.value = '';
  addMessage('user', text);
  try {
    const api = client();
    const useSession = $<HTMLInputElement>('use-session').checked;
    if (useSession && !state.sessionId) {
      state.sessionId = (await api.createSession(agent)).session_id;
      $('session').textContent = `session ${state.sessionId}`;
    }
    const vars = variables();
    const body = {
      message: text,
      ...(Object.keys(vars).length > 0 ? { variables: vars } : {}),
      ...(useSession && state.sessionId ? { session_id: state.sessionId } : {}),
    };
    await follow(() => api.stream(agent, body));
  } catch (error) {
    addMessage('error', message(error));
  }
}

async function runPipeline(event: Event): Promise<void> {
  event.preventDefault();
  const name = $<HTMLSelectElement>('pipeline').value;
  if (!name) return;
  const out = $('pipeline-result');
  out.textContent = 'running…';
  try {
    const trigger = JSON.parse($<HTMLTextAreaElement>('trigger').value || '{}') as Record<string, unknown>;
    const result = await client().runPipeline(name, { trigger });
    out.textContent = '';
    out.append(el('div', `pipeline-status ${result.status}`, `pipeline ${result.status}`));
    for (const step of result.steps) {
      const row = el('div', `step ${step.status}`);
      row.dataset.step = step.name;
      row.append(el('strong', '', `${step.name} — ${step.status} (${step.duration_ms} ms)`), el('pre', '', step.output ?? ''));
      out.append(row);
    }
  } catch (error) {
    out.textContent = message(error);
  }
}

async function load(): Promise<void> {
  $<HTMLInputElement>('api-key').value = localStorage.getItem('agentspec-api-key') ?? '';
  try {
    const api = client();
    state.agents = await api.agents();
    const select = $<HTMLSelectElement>('agent');
    select.innerHTML = '';
    for (const a of state.agents) {
      const option = el('option', '', `${a.name} · ${a.model} · ${a.strategy}`) as HTMLOptionElement;
      option.value = a.name;
      select.append(option);
    }
    showVariables();
    const listed = await api.pipelines().catch(() => []);
    const pipelines = $<HTMLSelectElement>('pipeline');
    pipelines.innerHTML = '';
    for (const p of listed) {
      const option = el('option', '', `${p.name} (${p.steps.join(' → ')})`) as HTMLOptionElement;
      option.value = p.name;
      pipelines.append(option);
    }
    // a package without pipelines has no panel (and nothing can post to /v1/pipelines//run)
    $('pipelines-panel').hidden = listed.length === 0;
    $('status').textContent = `${state.agents.length} agent(s)`;
  } catch (error) {
    $('status').textContent = message(error);
  }
}

$('chat').addEventListener('submit', (e) => void send(e));
$('pipeline-form').addEventListener('submit', (e) => void runPipeline(e));
$('reload').addEventListener('click', () => void load());
$('agent').addEventListener('change', showVariables);
$('new-session').addEventListener('click', () => {
  state.sessionId = undefined;
  state.run = undefined;
  $('session').textContent = 'no session';
  $('run').textContent = '';
  $('messages').innerHTML = '';
});
$<HTMLTextAreaElement>('message').addEventListener('keydown', (e) => {
  if (e.key === 'Enter' && !e.shiftKey) {
    e.preventDefault();
    $('chat').dispatchEvent(new Event('submit', { cancelable: true }));
  }
});
setupEvalTab({ headers, api });
void load();
