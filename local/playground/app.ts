/**
 * The playground page's script (runs in the browser; bundled by
 * build-playground.ts). Talks to the same HTTP API as any client: lists
 * agents and pipelines, streams a run over SSE (POST, so fetch + a real SSE
 * parser rather than EventSource), shows tool calls with their inputs,
 * outputs and durations, keeps a session, and runs pipelines.
 */
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { setupEvalTab } from './eval-tab.js';

interface AgentSummary {
  name: string;
  model: string;
  strategy: string;
  skills: string[];
}
interface PipelineSummary {
  name: string;
  steps: string[];
}
interface ToolCall {
  id: string;
  name: string;
  input: unknown;
  output?: unknown;
  error?: string;
  status?: string;
  duration_ms?: number;
}

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const state: { sessionId: string | undefined; busy: boolean } = { sessionId: undefined, busy: false };

function headers(): Record<string, string> {
  const key = $<HTMLInputElement>('api-key').value.trim();
  localStorage.setItem('agentspec-api-key', key);
  return { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) };
}

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

async function send(event: Event): Promise<void> {
  event.preventDefault();
  const input = $<HTMLTextAreaElement>('message');
  const message = input.value.trim();
  const agent = $<HTMLSelectElement>('agent').value;
  if (!message || !agent || state.busy) return;
  state.busy = true;
  input.value = '';
  addMessage('user', message);
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
  $('stats').textContent = 'running…';
  try {
    if ($<HTMLInputElement>('use-session').checked && !state.sessionId) {
      const created = await api<{ session_id: string }>(`/v1/agents/${encodeURIComponent(agent)}/sessions`, { method: 'POST', body: '{}' });
      state.sessionId = created.session_id;
      $('session').textContent = `session ${created.session_id}`;
    }
    const body = { message, ...($<HTMLInputElement>('use-session').checked && state.sessionId ? { session_id: state.sessionId } : {}) };
    const response = await fetch(`/v1/agents/${encodeURIComponent(agent)}/stream`, { method: 'POST', headers: headers(), body: JSON.stringify(body) });
    if (!response.ok || !response.body) {
      const error = await response.json().catch(() => ({ message: `HTTP ${response.status}` }));
      throw new Error(error.message);
    }
    const parser = createParser({
      onEvent(msg: EventSourceMessage) {
        const data = JSON.parse(msg.data);
        if (msg.event === 'text') appendText(data.text);
        else if (msg.event === 'tool_call_start' || msg.event === 'tool_call_end') {
          answer?.classList.remove('streaming');
          answer = undefined;
          renderToolCall(data);
        } else if (msg.event === 'error') addMessage('error', `${data.error}: ${data.message}`);
        else if (msg.event === 'done') {
          $('stats').textContent = `${data.turns} turns · ${data.tokens.total} tokens · ${data.duration_ms} ms`;
          if (!answered && data.output) appendText(data.output);
        }
      },
    });
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      parser.feed(value);
    }
  } catch (error) {
    addMessage('error', error instanceof Error ? error.message : String(error));
  } finally {
    answer?.classList.remove('streaming');
    if ($('stats').textContent === 'running…') $('stats').textContent = '';
    state.busy = false;
  }
}

async function runPipeline(event: Event): Promise<void> {
  event.preventDefault();
  const name = $<HTMLSelectElement>('pipeline').value;
  const out = $('pipeline-result');
  out.textContent = 'running…';
  try {
    const trigger = JSON.parse($<HTMLTextAreaElement>('trigger').value || '{}');
    const result = await api<{ status: string; steps: { name: string; status: string; duration_ms: number; output?: string }[] }>(
      `/v1/pipelines/${encodeURIComponent(name)}/run`,
      { method: 'POST', body: JSON.stringify({ trigger }) },
    );
    out.textContent = '';
    out.append(el('div', `pipeline-status ${result.status}`, `pipeline ${result.status}`));
    for (const step of result.steps) {
      const row = el('div', `step ${step.status}`);
      row.dataset.step = step.name;
      row.append(el('strong', '', `${step.name} — ${step.status} (${step.duration_ms} ms)`), el('pre', '', step.output ?? ''));
      out.append(row);
    }
  } catch (error) {
    out.textContent = error instanceof Error ? error.message : String(error);
  }
}

async function load(): Promise<void> {
  $<HTMLInputElement>('api-key').value = localStorage.getItem('agentspec-api-key') ?? '';
  try {
    const listed = await api<{ agents: AgentSummary[] } | AgentSummary[]>('/v1/agents');
    const agents = Array.isArray(listed) ? listed : listed.agents;
    const select = $<HTMLSelectElement>('agent');
    select.innerHTML = '';
    for (const a of agents) {
      const option = el('option', '', `${a.name} · ${a.model} · ${a.strategy}`) as HTMLOptionElement;
      option.value = a.name;
      select.append(option);
    }
    const listedPipelines = await api<{ pipelines: PipelineSummary[] }>('/v1/pipelines').catch(() => ({ pipelines: [] }));
    const pipelines = $<HTMLSelectElement>('pipeline');
    pipelines.innerHTML = '';
    for (const p of listedPipelines.pipelines) {
      const option = el('option', '', `${p.name} (${p.steps.join(' → ')})`) as HTMLOptionElement;
      option.value = p.name;
      pipelines.append(option);
    }
    $('pipelines-panel').hidden = listedPipelines.pipelines.length === 0;
    $('status').textContent = `${agents.length} agent(s)`;
  } catch (error) {
    $('status').textContent = error instanceof Error ? error.message : String(error);
  }
}

$('chat').addEventListener('submit', (e) => void send(e));
$('pipeline-form').addEventListener('submit', (e) => void runPipeline(e));
$('reload').addEventListener('click', () => void load());
$('new-session').addEventListener('click', () => {
  state.sessionId = undefined;
  $('session').textContent = 'no session';
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
