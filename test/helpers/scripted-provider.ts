/**
 * An in-process `ModelProvider` that plays a script: each model call takes
 * the next reply (a fixed reply or a function of the request). It records
 * every request and the signal it got, and can pause between events so tests
 * can abort mid-stream. Zero latency unless asked.
 */
import type { ModelEvent, ModelProvider, ModelRequest, StopReason, Usage } from '../../shared/llm/types.js';

export interface ScriptedReply {
  text?: string | string[];
  toolUses?: { id?: string; name: string; input: unknown }[];
  usage?: Partial<Usage>;
  stop?: StopReason;
  /** ms to wait before each event */
  delayMs?: number;
  /** throw this after the text (a stream cut mid-way) */
  error?: Error;
  /** after the text, wait until the call is aborted (a model still generating) */
  hang?: boolean;
}

export type ScriptStep = ScriptedReply | ((request: ModelRequest, call: number) => ScriptedReply);

export interface ScriptedProvider extends ModelProvider {
  readonly requests: ModelRequest[];
  readonly signals: AbortSignal[];
  /** adds replies to the end of the script */
  script(...steps: ScriptStep[]): ScriptedProvider;
  /** answers every call not covered by the script */
  otherwise(step: ScriptStep): ScriptedProvider;
}

const DEFAULT_USAGE: Usage = { input: 10, output: 5, cache_read: 0, cache_write: 0 };

/** A scripted provider; `script(...)` its replies in call order. */
export function scriptedProvider(...steps: ScriptStep[]): ScriptedProvider {
  const queue: ScriptStep[] = [...steps];
  let fallback: ScriptStep | undefined;
  let calls = 0;
  let ids = 0;
  const provider: ScriptedProvider = {
    requests: [],
    signals: [],
    script(...more) {
      queue.push(...more);
      return provider;
    },
    otherwise(step) {
      fallback = step;
      return provider;
    },
    async *stream(request, signal) {
      const call = calls++;
      // the loop appends to the same array later: keep what this call was sent
      provider.requests.push({ ...request, messages: [...request.messages] });
      provider.signals.push(signal);
      const step = queue.shift() ?? fallback;
      if (!step) throw new Error(`scripted provider: no reply scripted for call ${call + 1}`);
      const reply = typeof step === 'function' ? step(request, call) : step;
      for (const event of eventsOf(reply, () => `toolu_${++ids}`)) {
        if (reply.delayMs) await sleep(reply.delayMs, signal);
        if (signal.aborted) throw abortError();
        if (event === 'error') throw reply.error;
        if (event === 'hang') {
          await new Promise((resolve) => (signal.aborted ? resolve(undefined) : signal.addEventListener('abort', resolve, { once: true })));
          throw abortError();
        }
        yield event;
      }
    },
  };
  return provider;
}

function* eventsOf(reply: ScriptedReply, nextId: () => string): Generator<ModelEvent | 'error' | 'hang'> {
  const texts = reply.text === undefined ? [] : Array.isArray(reply.text) ? reply.text : [reply.text];
  for (const text of texts) yield { type: 'text', text };
  if (reply.hang) yield 'hang';
  if (reply.error) {
    yield 'error';
    return;
  }
  for (const use of reply.toolUses ?? []) yield { type: 'tool_use', id: use.id ?? nextId(), name: use.name, input: use.input };
  yield { type: 'usage', usage: { ...DEFAULT_USAGE, ...reply.usage } };
  yield { type: 'stop', reason: reply.stop ?? (reply.toolUses?.length ? 'tool_use' : 'end_turn') };
}

/** A text-only reply. */
export function say(text: string, usage?: Partial<Usage>): ScriptedReply {
  return usage ? { text, usage } : { text };
}

/** A reply asking for tools. */
export function useTools(...uses: { name: string; input?: unknown; id?: string }[]): ScriptedReply {
  return { toolUses: uses.map((u) => ({ ...u, input: u.input ?? {} })) };
}

/** The text of every message of a request, joined: what a test asserts the model was shown. */
export function requestText(request: ModelRequest): string {
  const parts: string[] = [];
  for (const message of request.messages) {
    for (const block of message.content) {
      if (block.type === 'text') parts.push(block.text);
      else if (block.type === 'tool_result') parts.push(block.content);
      else parts.push(JSON.stringify(block.input));
    }
  }
  return parts.join('\n');
}

function abortError(): Error {
  const error = new Error('This operation was aborted');
  error.name = 'AbortError';
  return error;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}
