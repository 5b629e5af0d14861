/**
 * The Messages API wire format the fake server speaks: a scripted reply
 * turned into the SSE events of a streaming response (in the real order,
 * with text and tool input split into several deltas) or into the JSON
 * message of a non-streaming one.
 */

export interface FakeUsage {
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens?: number;
  cache_creation_input_tokens?: number;
}

/** A successful reply. */
export interface FakeMessageReply {
  /** one string (split into a few deltas) or the exact deltas to send */
  text?: string | string[];
  toolUses?: { id?: string; name: string; input: unknown }[];
  /** default: `tool_use` when there are tool uses, else `end_turn` */
  stopReason?: 'end_turn' | 'tool_use' | 'max_tokens' | 'stop_sequence' | 'pause_turn' | 'refusal';
  usage?: FakeUsage;
  /** delay between SSE events (default 0) */
  chunkDelayMs?: number;
  /** delay before the response headers are sent (default 0) */
  firstByteDelayMs?: number;
  /** send the events up to the first delta, then never finish (until the client closes) */
  hang?: boolean;
  /** delay between the last event (message_stop) and the end of the response, as when the end of the chunked body comes in a later TCP segment (default 0) */
  endDelayMs?: number;
  /** send the events up to the first delta, then this as an SSE `error` event (as the API does when overloaded mid-stream) */
  streamError?: { type: string; message: string };
}

/** An API error, in the real body shape. */
export interface FakeErrorReply {
  status: number;
  error: { type: string; message: string };
  headers?: Record<string, string>;
}

export type FakeReply = FakeMessageReply | FakeErrorReply;

export interface SseEvent {
  event: string;
  data: Record<string, unknown>;
}

const DEFAULT_USAGE: FakeUsage = { input_tokens: 10, output_tokens: 5, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 };

/** True for an error reply. */
export function isErrorReply(reply: FakeReply): reply is FakeErrorReply {
  return 'status' in reply;
}

/** The real error body: `{"type":"error","error":{"type","message"}}`. */
export function errorBody(reply: FakeErrorReply): string {
  return JSON.stringify({ type: 'error', error: reply.error });
}

interface Block {
  start: Record<string, unknown>;
  deltas: Record<string, unknown>[];
}

function blocksOf(reply: FakeMessageReply, nextId: () => string): Block[] {
  const blocks: Block[] = [];
  const texts = reply.text === undefined ? [] : typeof reply.text === 'string' ? splitInto(reply.text, 3) : reply.text;
  if (texts.length > 0) {
    blocks.push({ start: { type: 'text', text: '' }, deltas: texts.map((text) => ({ type: 'text_delta', text })) });
  }
  for (const use of reply.toolUses ?? []) {
    const json = JSON.stringify(use.input ?? {});
    blocks.push({
      start: { type: 'tool_use', id: use.id ?? nextId(), name: use.name, input: {} },
      deltas: splitInto(json, 3).map((partial_json) => ({ type: 'input_json_delta', partial_json })),
    });
  }
  return blocks;
}

/** Splits `s` into up to `parts` non-empty pieces (at least one, possibly empty for ''). */
export function splitInto(s: string, parts: number): string[] {
  if (s.length <= 1) return [s];
  const size = Math.ceil(s.length / parts);
  const out: string[] = [];
  for (let i = 0; i < s.length; i += size) out.push(s.slice(i, i + size));
  return out;
}

function stopOf(reply: FakeMessageReply): string {
  return reply.stopReason ?? ((reply.toolUses?.length ?? 0) > 0 ? 'tool_use' : 'end_turn');
}

/** The SSE events of a streaming response, in the order the real API sends them. */
export function streamEvents(reply: FakeMessageReply, model: string, messageId: string, nextId: () => string): SseEvent[] {
  const usage = { ...DEFAULT_USAGE, ...reply.usage };
  const events: SseEvent[] = [
    {
      event: 'message_start',
      data: {
        type: 'message_start',
        message: {
          id: messageId,
          type: 'message',
          role: 'assistant',
          content: [],
          model,
          stop_reason: null,
          stop_sequence: null,
          usage: {
            input_tokens: usage.input_tokens,
            cache_creation_input_tokens: usage.cache_creation_input_tokens ?? 0,
            cache_read_input_tokens: usage.cache_read_input_tokens ?? 0,
            output_tokens: 1,
          },
        },
      },
    },
    { event: 'ping', data: { type: 'ping' } },
  ];
  blocksOf(reply, nextId).forEach((block, index) => {
    events.push({ event: 'content_block_start', data: { type: 'content_block_start', index, content_block: block.start } });
    for (const delta of block.deltas) events.push({ event: 'content_block_delta', data: { type: 'content_block_delta', index, delta } });
    events.push({ event: 'content_block_stop', data: { type: 'content_block_stop', index } });
  });
  events.push({
    event: 'message_delta',
    data: {
      type: 'message_delta',
      delta: { stop_reason: stopOf(reply), stop_sequence: null },
      usage: {
        input_tokens: usage.input_tokens,
        cache_creation_input_tokens: usage.cache_creation_input_tokens ?? 0,
        cache_read_input_tokens: usage.cache_read_input_tokens ?? 0,
        output_tokens: usage.output_tokens,
      },
    },
  });
  events.push({ event: 'message_stop', data: { type: 'message_stop' } });
  return events;
}

/** One SSE frame with its `event:` line, as the real API writes it. */
export function sseFrame(event: SseEvent): string {
  return `event: ${event.event}\ndata: ${JSON.stringify(event.data)}\n\n`;
}

/** The JSON message of a non-streaming response. */
export function jsonMessage(reply: FakeMessageReply, model: string, messageId: string, nextId: () => string): Record<string, unknown> {
  const usage = { ...DEFAULT_USAGE, ...reply.usage };
  const content: Record<string, unknown>[] = [];
  const text = reply.text === undefined ? undefined : typeof reply.text === 'string' ? reply.text : reply.text.join('');
  if (text) content.push({ type: 'text', text });
  for (const use of reply.toolUses ?? []) content.push({ type: 'tool_use', id: use.id ?? nextId(), name: use.name, input: use.input ?? {} });
  return {
    id: messageId,
    type: 'message',
    role: 'assistant',
    content,
    model,
    stop_reason: stopOf(reply),
    stop_sequence: null,
    usage: { cache_creation_input_tokens: 0, cache_read_input_tokens: 0, ...usage },
  };
}
