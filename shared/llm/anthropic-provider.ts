/**
 * The Anthropic implementation of `ModelProvider`, over the official SDK —
 * the only file of the project that imports `@anthropic-ai/sdk`.
 *
 * One streaming Messages call per `stream()`: SDK events become neutral
 * `ModelEvent`s (text deltas as they arrive, a tool use once its input JSON is
 * complete, then usage, then the stop reason). Prompt caching marks the system
 * prompt and the last tool definition `ephemeral`. Retries (429, 5xx, 529,
 * connection failures) are the SDK's own, which honours `retry-after` and
 * `retry-after-ms`; every failure surfaces as an `AgentSpecError`.
 */
import { BaseAnthropic } from '@anthropic-ai/sdk/client';
import { APIConnectionError, APIError, APIUserAbortError } from '@anthropic-ai/sdk/core/error';
import { Messages } from '@anthropic-ai/sdk/resources/messages/messages';
import type * as Anthropic from '@anthropic-ai/sdk/resources/messages/messages';
import { AgentSpecError, ErrorCode } from '../errors.js';
import { nodeFetch, type Fetch } from '../net/node-fetch.js';
import type { ContentBlock, Message, ModelEvent, ModelProvider, ModelRequest, StopReason, ToolDefinition, Usage } from './types.js';

export interface AnthropicProviderOptions {
  /** default: `ANTHROPIC_API_KEY`, read at each call */
  apiKey?: string;
  /** default: `ANTHROPIC_BASE_URL` read at each call, else the SDK's `https://api.anthropic.com` */
  baseURL?: string;
  /** SDK retries on 408/409/429/5xx/529 and connection errors (default 2) */
  maxRetries?: number;
  /** `max_tokens` when the request sets none (default 4096) */
  defaultMaxTokens?: number;
  /**
   * The SDK's HTTP transport. Default: {@link nodeFetch}, Node's own HTTP
   * client, which costs a cold start less than the global `fetch`; pass
   * `globalThis.fetch` (or undici's `fetch` with a proxy dispatcher) to use those.
   */
  fetch?: Fetch;
}

export const DEFAULT_MAX_TOKENS = 4096;

/**
 * The SDK's base client with only the Messages resource. The full `Anthropic`
 * class also wires every other resource (beta, files, skills, …) and their
 * helpers, which no bundler can drop: three times the code (437 KB against
 * 126 KB minified) for calls we never make, paid at every Lambda cold start.
 * Same constructor, retries, errors and streaming.
 */
class MessagesClient extends BaseAnthropic {
  messages = new Messages(this);
}
const DEFAULT_MAX_RETRIES = 2;

/**
 * The SDK's streaming params plus `temperature`, which this SDK version no
 * longer types (the API deprecates it for newer models) but still sends as a
 * body field; the language offers it, so we pass it when the agent sets it.
 */
type SdkParams = Anthropic.MessageCreateParamsStreaming & { temperature?: number };
type SdkEvent = Anthropic.RawMessageStreamEvent;

/** A `ModelProvider` for Claude; credentials and base URL come from options or the environment at call time. */
export function createAnthropicProvider(options: AnthropicProviderOptions = {}): ModelProvider {
  let cached: { key: string; client: MessagesClient } | undefined;
  const clientFor = (apiKey: string, baseURL: string | undefined): MessagesClient => {
    const key = `${baseURL ?? ''}\u0000${apiKey}`;
    if (cached?.key !== key) {
      cached = {
        key,
        client: new MessagesClient({
          apiKey,
          baseURL: baseURL ?? null,
          maxRetries: options.maxRetries ?? DEFAULT_MAX_RETRIES,
          fetch: options.fetch ?? nodeFetch,
        }),
      };
    }
    return cached.client;
  };
  return {
    async *stream(request, signal) {
      const apiKey = options.apiKey ?? process.env.ANTHROPIC_API_KEY;
      if (!apiKey) {
        throw new AgentSpecError(
          ErrorCode.Unavailable,
          'No Anthropic API key: set the ANTHROPIC_API_KEY environment variable (e.g. `export ANTHROPIC_API_KEY=sk-ant-...`) or pass `apiKey` to the provider.',
          { details: { env: 'ANTHROPIC_API_KEY' } },
        );
      }
      if (signal.aborted) throw cancelled(signal.reason);
      const baseURL = options.baseURL ?? (process.env.ANTHROPIC_BASE_URL || undefined);
      const client = clientFor(apiKey, baseURL);
      const params = toSdkParams(request, options.defaultMaxTokens ?? DEFAULT_MAX_TOKENS);
      try {
        const events = await client.messages.create(params, { signal });
        yield* mapEvents(events);
      } catch (error) {
        throw toProviderError(error, signal, baseURL);
      }
    },
  };
}

/** The SDK request: system prompt and last tool marked for prompt caching. */
function toSdkParams(request: ModelRequest, defaultMaxTokens: number): SdkParams {
  const params: SdkParams = {
    model: request.model,
    max_tokens: request.max_tokens ?? defaultMaxTokens,
    messages: request.messages.map(toSdkMessage),
    stream: true,
  };
  if (request.system) params.system = [{ type: 'text', text: request.system, cache_control: { type: 'ephemeral' } }];
  if (request.tools && request.tools.length > 0) params.tools = request.tools.map((tool, i, all) => toSdkTool(tool, i === all.length - 1));
  if (request.temperature !== undefined) params.temperature = request.temperature;
  if (request.tool_choice) params.tool_choice = request.tool_choice;
  return params;
}

function toSdkTool(tool: ToolDefinition, last: boolean): Anthropic.Tool {
  const sdkTool: Anthropic.Tool = {
    name: tool.name,
    description: tool.description,
    input_schema: { type: 'object', ...tool.input_schema },
  };
  if (last) sdkTool.cache_control = { type: 'ephemeral' };
  return sdkTool;
}

function toSdkMessage(message: Message): Anthropic.MessageParam {
  return { role: message.role, content: message.content.map(toSdkBlock) };
}

function toSdkBlock(block: ContentBlock): Anthropic.ContentBlockParam {
  switch (block.type) {
    case 'text':
      return { type: 'text', text: block.text };
    case 'tool_use':
      return { type: 'tool_use', id: block.id, name: block.name, input: block.input };
    case 'tool_result':
      return { type: 'tool_result', tool_use_id: block.tool_use_id, content: block.content, ...(block.is_error ? { is_error: true } : {}) };
  }
}

/** SDK stream events → `ModelEvent`s; a tool use is yielded once its input JSON is complete. */
async function* mapEvents(events: AsyncIterable<SdkEvent>): AsyncGenerator<ModelEvent> {
  const usage: Usage = { input: 0, output: 0, cache_read: 0, cache_write: 0 };
  const tools = new Map<number, { id: string; name: string; json: string }>();
  let stop: StopReason = 'other';
  let stopped = false;
  for await (const event of events) {
    switch (event.type) {
      case 'message_start': {
        const u = event.message.usage;
        usage.input = u.input_tokens;
        usage.output = u.output_tokens;
        usage.cache_read = u.cache_read_input_tokens ?? 0;
        usage.cache_write = u.cache_creation_input_tokens ?? 0;
        break;
      }
      case 'content_block_start':
        if (event.content_block.type === 'tool_use') {
          tools.set(event.index, { id: event.content_block.id, name: event.content_block.name, json: '' });
        }
        break;
      case 'content_block_delta':
        if (event.delta.type === 'text_delta') {
          if (event.delta.text) yield { type: 'text', text: event.delta.text };
        } else if (event.delta.type === 'input_json_delta') {
          const tool = tools.get(event.index);
          if (tool) tool.json += event.delta.partial_json;
        }
        break;
      case 'content_block_stop': {
        const tool = tools.get(event.index);
        if (tool) {
          tools.delete(event.index);
          yield { type: 'tool_use', id: tool.id, name: tool.name, input: parseToolInput(tool.name, tool.json) };
        }
        break;
      }
      case 'message_delta': {
        const u = event.usage;
        usage.output = u.output_tokens;
        if (u.input_tokens != null) usage.input = u.input_tokens;
        if (u.cache_read_input_tokens != null) usage.cache_read = u.cache_read_input_tokens;
        if (u.cache_creation_input_tokens != null) usage.cache_write = u.cache_creation_input_tokens;
        stop = mapStopReason(event.delta.stop_reason);
        break;
      }
      case 'message_stop':
        // Not a return: leaving the SDK's stream before the response ends
        // makes it abort the request, which closes the connection — every
        // model call then paid a new TCP and TLS handshake. The API ends the
        // response right after message_stop.
        stopped = true;
        break;
    }
  }
  if (!stopped) throw new AgentSpecError(ErrorCode.UpstreamError, 'The Anthropic API stream ended before message_stop.');
  yield { type: 'usage', usage: { ...usage } };
  yield { type: 'stop', reason: stop };
}

function parseToolInput(name: string, json: string): unknown {
  if (json.trim() === '') return {};
  try {
    return JSON.parse(json) as unknown;
  } catch (error) {
    throw new AgentSpecError(ErrorCode.UpstreamError, `The Anthropic API sent invalid JSON input for tool "${name}".`, {
      cause: error,
      details: { tool: name },
    });
  }
}

/** The SDK's stop reason as a neutral `StopReason`. */
export function mapStopReason(reason: string | null | undefined): StopReason {
  switch (reason) {
    case 'end_turn':
    case 'tool_use':
    case 'max_tokens':
    case 'stop_sequence':
    case 'pause_turn':
    case 'refusal':
      return reason;
    default:
      return 'other';
  }
}

function cancelled(cause: unknown): AgentSpecError {
  return new AgentSpecError(ErrorCode.Cancelled, 'The model call was cancelled.', { cause });
}

/** Any failure of a call as an `AgentSpecError`; never includes the API key. */
function toProviderError(error: unknown, signal: AbortSignal, baseURL: string | undefined): AgentSpecError {
  // an abort can surface as a silently ended stream: the signal decides, whatever the symptom
  if (signal.aborted || error instanceof APIUserAbortError)
    return error instanceof AgentSpecError && error.code === ErrorCode.Cancelled ? error : cancelled(error);
  if (error instanceof AgentSpecError) return error;
  if (error instanceof APIError && !(error instanceof APIConnectionError)) {
    const body = (error.error ?? {}) as { error?: { type?: unknown; message?: unknown } };
    const type = typeof body.error?.type === 'string' ? body.error.type : 'unknown_error';
    const message = typeof body.error?.message === 'string' ? body.error.message : error.message;
    // an `error` event inside a stream has no HTTP status: the response itself was a 200
    const where = error.status === undefined ? 'failed mid-stream with' : `answered ${error.status}`;
    return new AgentSpecError(ErrorCode.UpstreamError, `The Anthropic API ${where} ${type}: ${message}`, {
      cause: error,
      details: { ...(error.status === undefined ? {} : { status: error.status }), type, message, request_id: error.requestID ?? undefined },
    });
  }
  if (error instanceof APIConnectionError) {
    const target = baseURL ?? 'https://api.anthropic.com';
    return new AgentSpecError(ErrorCode.UpstreamError, `Could not reach the Anthropic API at ${target}: ${error.message}`, {
      cause: error,
      details: { base_url: target },
    });
  }
  return new AgentSpecError(ErrorCode.UpstreamError, 'The Anthropic API call failed.', { cause: error });
}
