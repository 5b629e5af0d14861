/**
 * The Chat Completions wire format the fake server speaks: a scripted reply
 * turned into the `data:` chunks of a streaming response (a role chunk, text
 * and tool-call argument fragments, the finish chunk, the usage chunk when
 * `stream_options.include_usage` asks for it, `[DONE]`) or into the JSON
 * body of a non-streaming one.
 */
import { splitInto } from '../fake-anthropic/wire.js';

export interface FakeChatUsage {
  prompt_tokens: number;
  completion_tokens: number;
  /** `prompt_tokens_details.cached_tokens` */
  cached_tokens?: number;
}

export interface FakeToolCall {
  id?: string;
  name: string;
  /** the arguments object (sent as JSON split into fragments) */
  input?: unknown;
  /** or the exact argument fragments to send */
  fragments?: string[];
}

export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter';

/** A successful reply. */
export interface FakeChatReply {
  /** one string (split into a few deltas) or the exact deltas */
  text?: string | string[];
  toolCalls?: FakeToolCall[];
  /** default: `tool_calls` when there are tool calls, else `stop` */
  finishReason?: FinishReason;
  /** a refusal (sent in `delta.refusal`) instead of text */
  refusal?: string;
  usage?: FakeChatUsage;
  /** the `index` of tool-call deltas: `counted` 0, 1, … as OpenAI does (default); `zero` for every call, as some Ollama versions do; `absent`, as older ones did */
  toolCallIndex?: 'counted' | 'zero' | 'absent';
  /** delay between chunks (default 0) */
  chunkDelayMs?: number;
  /** delay before the response headers (default 0) */
  firstByteDelayMs?: number;
  /** send the chunks up to the first delta, then never finish (until the client closes) */
  hang?: boolean;
  /** send the chunks up to the first delta, then `data: {"error": …}` (as the API does on a failure mid-stream) */
  streamError?: { type: string; message: string };
  /** send the chunks up to the first delta, then a `data:` line that is not JSON */
  malformed?: boolean;
  /** send the chunks up to the first delta, then end the response (no finish chunk, no [DONE]) */
  truncated?: boolean;
}

/** An API error, in the real body shape. */
export interface FakeChatErrorReply {
  status: number;
  error: { type: string; message: string; code?: string | null };
  headers?: Record<string, string>;
}

export type FakeChatAnswer = FakeChatReply | FakeChatErrorReply;

const DEFAULT_USAGE: FakeChatUsage = { prompt_tokens: 10, completion_tokens: 5 };

/** True for an error reply. */
export function isChatError(reply: FakeChatAnswer): reply is FakeChatErrorReply {
  return 'status' in reply;
}

/** The real error body: `{"error":{"message","type","param","code"}}`. */
export function chatErrorBody(reply: FakeChatErrorReply): string {
  return JSON.stringify({ error: { message: reply.error.message, type: reply.error.type, param: null, code: reply.error.code ?? null } });
}

function finishOf(reply: FakeChatReply): FinishReason {
  return reply.finishReason ?? ((reply.toolCalls?.length ?? 0) > 0 ? 'tool_calls' : 'stop');
}

function usageBody(usage: FakeChatUsage): Record<string, unknown> {
  return {
    prompt_tokens: usage.prompt_tokens,
    completion_tokens: usage.completion_tokens,
    total_tokens: usage.prompt_tokens + usage.completion_tokens,
    prompt_tokens_details: { cached_tokens: usage.cached_tokens ?? 0, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  };
}

export interface ChunkContext {
  id: string;
  model: string;
  created: number;
  includeUsage: boolean;
  nextCallId: () => string;
}

/** The deltas of a reply's choice, in order (role first, then text or refusal, then each tool call's fragments). */
function deltasOf(reply: FakeChatReply, nextCallId: () => string): Record<string, unknown>[] {
  const deltas: Record<string, unknown>[] = [{ role: 'assistant', content: '', refusal: null }];
  const texts = reply.text === undefined ? [] : typeof reply.text === 'string' ? splitInto(reply.text, 3) : reply.text;
  for (const content of texts) deltas.push({ content });
  if (reply.refusal !== undefined) for (const refusal of splitInto(reply.refusal, 2)) deltas.push({ refusal });
  const style = reply.toolCallIndex ?? 'counted';
  (reply.toolCalls ?? []).forEach((call, n) => {
    const index = style === 'absent' ? {} : { index: style === 'zero' ? 0 : n };
    const parts = call.fragments ?? splitInto(JSON.stringify(call.input ?? {}), 3);
    deltas.push({ tool_calls: [{ ...index, id: call.id ?? nextCallId(), type: 'function', function: { name: call.name, arguments: '' } }] });
    for (const part of parts) deltas.push({ tool_calls: [{ ...index, function: { arguments: part } }] });
  });
  return deltas;
}

/**
 * The `data:` payloads of a streaming response, as the real API sends them;
 * the last is `[DONE]`. With `cut`, only the chunks up to the first content delta.
 */
export function streamChunks(reply: FakeChatReply, ctx: ChunkContext, cut = false): string[] {
  const chunk = (choices: unknown[], extra: Record<string, unknown> = {}) =>
    JSON.stringify({ id: ctx.id, object: 'chat.completion.chunk', created: ctx.created, model: ctx.model, system_fingerprint: 'fp_fake', choices, ...extra });
  const choice = (delta: Record<string, unknown>, finish: string | null) => ({ index: 0, delta, logprobs: null, finish_reason: finish });
  const usageField = ctx.includeUsage ? { usage: null } : {};
  const deltas = deltasOf(reply, ctx.nextCallId);
  if (cut) return deltas.slice(0, 2).map((delta) => chunk([choice(delta, null)], usageField));
  const out = deltas.map((delta) => chunk([choice(delta, null)], usageField));
  out.push(chunk([choice({}, finishOf(reply))], usageField));
  if (ctx.includeUsage) out.push(chunk([], { usage: usageBody({ ...DEFAULT_USAGE, ...reply.usage }) }));
  out.push('[DONE]');
  return out;
}

/** The JSON body of a non-streaming response. */
export function completionBody(reply: FakeChatReply, ctx: ChunkContext): Record<string, unknown> {
  const text = reply.text === undefined ? null : typeof reply.text === 'string' ? reply.text : reply.text.join('');
  const toolCalls = (reply.toolCalls ?? []).map((call) => ({
    id: call.id ?? ctx.nextCallId(),
    type: 'function',
    function: { name: call.name, arguments: call.fragments?.join('') ?? JSON.stringify(call.input ?? {}) },
  }));
  return {
    id: ctx.id,
    object: 'chat.completion',
    created: ctx.created,
    model: ctx.model,
    system_fingerprint: 'fp_fake',
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: text, refusal: reply.refusal ?? null, ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}) },
        logprobs: null,
        finish_reason: finishOf(reply),
      },
    ],
    usage: usageBody({ ...DEFAULT_USAGE, ...reply.usage }),
  };
}
