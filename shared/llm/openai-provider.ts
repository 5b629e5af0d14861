/**
 * The Chat Completions implementation of `ModelProvider`, over the official
 * `openai` SDK — the only file of the project that imports `openai`. It
 * serves two providers: OpenAI itself (key `OPENAI_API_KEY`, endpoint
 * `OPENAI_BASE_URL` or the SDK's default) and Ollama through its
 * OpenAI-compatible API at `<OLLAMA_HOST>/v1` (no key).
 *
 * One streaming call per `stream()`, with `stream_options.include_usage`:
 * text deltas are yielded as they arrive, tool calls (their argument JSON
 * arriving in fragments) once the choice finishes, then usage, then the stop
 * reason — the same `ModelEvent`s and `AgentSpecError` codes as the Anthropic
 * provider. Retries (408, 409, 429, 5xx, connection failures) are the SDK's
 * own, which honours `retry-after` and `retry-after-ms`. The SDK is loaded at
 * the first call, so a runtime that only calls Claude never loads it.
 */
import type { OpenAI } from 'openai/client';
import type * as Chat from 'openai/resources/chat/completions';
import { AgentSpecError, ErrorCode } from '../errors.js';
import { nodeFetch, type Fetch } from '../net/node-fetch.js';
import { ollamaBaseURL, PROVIDER_ENV } from './provider-env.js';
import type { ContentBlock, Message, ModelEvent, ModelProvider, ModelRequest, StopReason, ToolDefinition, Usage } from './types.js';

export interface OpenAIProviderOptions {
  /** OpenAI: default `OPENAI_API_KEY`, read at each call. Ollama: none is needed (a placeholder is sent) */
  apiKey?: string;
  /** OpenAI: default `OPENAI_BASE_URL`, else `https://api.openai.com/v1`. Ollama: default `<OLLAMA_HOST>/v1`, else `http://localhost:11434/v1`. Read at each call */
  baseURL?: string;
  /** SDK retries on 408/409/429/5xx and connection errors (default 2) */
  maxRetries?: number;
  /** the output limit when the request sets none (default 4096) */
  defaultMaxTokens?: number;
  /** the SDK's HTTP transport (default: {@link nodeFetch}, as for the Anthropic provider) */
  fetch?: Fetch;
}

/** How one Chat Completions service differs from another. */
interface Flavour {
  /** in messages: "the OpenAI API", "Ollama" */
  label: string;
  /** the variable holding the key; none: the service needs no key (a placeholder is sent) */
  keyEnv: string | undefined;
  /** the base URL: the option, else the environment, else the service's default */
  baseURL(options: OpenAIProviderOptions): string;
  /** OpenAI deprecates `max_tokens` (its reasoning models refuse it); Ollama reads only `max_tokens` */
  maxTokensField: 'max_completion_tokens' | 'max_tokens';
}

/** Ollama ignores the key, but the SDK sends no request without one. */
const PLACEHOLDER_KEY = 'ollama';
const DEFAULT_MAX_RETRIES = 2;
const DEFAULT_MAX_TOKENS = 4096;

const OPENAI: Flavour = {
  label: 'the OpenAI API',
  keyEnv: PROVIDER_ENV.openai.key,
  baseURL: (options) => options.baseURL ?? (process.env[PROVIDER_ENV.openai.baseURL] || 'https://api.openai.com/v1'),
  maxTokensField: 'max_completion_tokens',
};

const OLLAMA: Flavour = {
  label: 'Ollama',
  keyEnv: PROVIDER_ENV.ollama.key,
  baseURL: (options) => options.baseURL ?? ollamaBaseURL(process.env[PROVIDER_ENV.ollama.baseURL]),
  maxTokensField: 'max_tokens',
};

/** A `ModelProvider` for OpenAI models; key and base URL come from options or the environment at call time. */
export function createOpenAIProvider(options: OpenAIProviderOptions = {}): ModelProvider {
  return chatCompletionsProvider(OPENAI, options);
}

/** A `ModelProvider` for models served by Ollama, through its OpenAI-compatible API. */
export function createOllamaProvider(options: OpenAIProviderOptions = {}): ModelProvider {
  return chatCompletionsProvider(OLLAMA, options);
}

type Sdk = { OpenAI: typeof OpenAI; errors: typeof import('openai/core/error') };
let sdk: Promise<Sdk> | undefined;
/** The SDK's client and error classes, loaded at the first call (its own chunk in a bundle). */
const loadSdk = (): Promise<Sdk> =>
  (sdk ??= Promise.all([import('openai/client'), import('openai/core/error')]).then(
    ([client, errors]) => ({ OpenAI: client.OpenAI, errors }),
    (error: unknown) => {
      sdk = undefined; // a failed load is tried again at the next call
      throw error;
    },
  ));

function chatCompletionsProvider(flavour: Flavour, options: OpenAIProviderOptions): ModelProvider {
  let cached: { key: string; client: OpenAI } | undefined;
  const clientFor = (OpenAIClass: typeof OpenAI, apiKey: string, baseURL: string): OpenAI => {
    const key = `${baseURL}\u0000${apiKey}`;
    if (cached?.key !== key) {
      cached = {
        key,
        // Everything explicit: the SDK would otherwise read OPENAI_* variables itself (and send an OpenAI key to an Ollama host).
        client: new OpenAIClass({
          apiKey,
          adminAPIKey: null,
          baseURL,
          organization: null,
          project: null,
          maxRetries: options.maxRetries ?? DEFAULT_MAX_RETRIES,
          fetch: options.fetch ?? nodeFetch,
          // failures surface as AgentSpecErrors; the SDK's console logging (raw chunks of a malformed stream) stays off
          logLevel: 'off',
        }),
      };
    }
    return cached.client;
  };
  return {
    async *stream(request, signal) {
      const env = flavour.keyEnv;
      const apiKey = options.apiKey ?? (env ? process.env[env] || undefined : PLACEHOLDER_KEY);
      if (!apiKey) {
        throw new AgentSpecError(
          ErrorCode.Unavailable,
          `No API key for ${flavour.label}: set the ${env} environment variable (e.g. \`export ${env}=...\`) or pass \`apiKey\` to the provider.`,
          { details: { env } },
        );
      }
      if (signal.aborted) throw cancelled(signal.reason);
      const baseURL = flavour.baseURL(options);
      let errors: Sdk['errors'] | undefined;
      try {
        const loaded = await loadSdk();
        errors = loaded.errors;
        const client = clientFor(loaded.OpenAI, apiKey, baseURL);
        const params = toSdkParams(request, flavour, options.defaultMaxTokens ?? DEFAULT_MAX_TOKENS);
        const chunks = await client.chat.completions.create(params, { signal });
        yield* mapChunks(chunks, flavour.label);
      } catch (error) {
        throw toProviderError(error, signal, flavour.label, baseURL, errors);
      }
    },
  };
}

/** The SDK request: system prompt as the first message, tools as functions, usage asked for in the stream. */
function toSdkParams(request: ModelRequest, flavour: Flavour, defaultMaxTokens: number): Chat.ChatCompletionCreateParamsStreaming {
  const messages: Chat.ChatCompletionMessageParam[] = [];
  if (request.system) messages.push({ role: 'system', content: request.system });
  for (const message of request.messages) messages.push(...toSdkMessages(message));
  const params: Chat.ChatCompletionCreateParamsStreaming = {
    model: request.model,
    messages,
    stream: true,
    stream_options: { include_usage: true },
    [flavour.maxTokensField]: request.max_tokens ?? defaultMaxTokens,
  };
  if (request.tools && request.tools.length > 0) params.tools = request.tools.map(toSdkTool);
  if (request.temperature !== undefined) params.temperature = request.temperature;
  if (request.tool_choice) params.tool_choice = toSdkToolChoice(request.tool_choice);
  return params;
}

function toSdkTool(tool: ToolDefinition): Chat.ChatCompletionFunctionTool {
  return { type: 'function', function: { name: tool.name, description: tool.description, parameters: { type: 'object', ...tool.input_schema } } };
}

function toSdkToolChoice(choice: NonNullable<ModelRequest['tool_choice']>): Chat.ChatCompletionToolChoiceOption {
  switch (choice.type) {
    case 'auto':
    case 'none':
      return choice.type;
    case 'any':
      return 'required';
    case 'tool':
      return { type: 'function', function: { name: choice.name } };
  }
}

/**
 * One neutral message as Chat Completions messages: an assistant turn carries
 * its tool uses as `tool_calls`; a user turn's tool results become `tool`
 * messages (first, so they follow the assistant turn that asked), its text
 * one user message. Chat Completions has no error flag on a tool result: the
 * content of a failed one is prefixed with `Error: `.
 */
function toSdkMessages(message: Message): Chat.ChatCompletionMessageParam[] {
  const text = textOf(message.content);
  if (message.role === 'assistant') {
    const calls = message.content.flatMap((block): Chat.ChatCompletionMessageFunctionToolCall[] =>
      block.type === 'tool_use' ? [{ id: block.id, type: 'function', function: { name: block.name, arguments: JSON.stringify(block.input ?? {}) } }] : [],
    );
    const assistant: Chat.ChatCompletionAssistantMessageParam = { role: 'assistant' };
    if (text) assistant.content = text;
    if (calls.length > 0) assistant.tool_calls = calls;
    return [assistant];
  }
  const out: Chat.ChatCompletionMessageParam[] = [];
  for (const block of message.content) {
    if (block.type === 'tool_result')
      out.push({ role: 'tool', tool_call_id: block.tool_use_id, content: block.is_error ? `Error: ${block.content}` : block.content });
  }
  if (text || out.length === 0) out.push({ role: 'user', content: text });
  return out;
}

function textOf(content: ContentBlock[]): string {
  return content.flatMap((block) => (block.type === 'text' ? [block.text] : [])).join('');
}

/** Stream chunks → `ModelEvent`s; tool calls are yielded once their choice finishes, with their argument fragments joined. */
async function* mapChunks(chunks: AsyncIterable<Chat.ChatCompletionChunk>, label: string): AsyncGenerator<ModelEvent> {
  const usage: Usage = { input: 0, output: 0, cache_read: 0, cache_write: 0 };
  const calls = new ToolCalls();
  let finish: string | undefined;
  let refused = false;
  // Read to the end of the response (the usage chunk and [DONE] come after finish_reason):
  // leaving early makes the SDK abort the request, which closes a kept-alive connection.
  for await (const chunk of chunks) {
    if (chunk.usage) {
      const cached = chunk.usage.prompt_tokens_details?.cached_tokens ?? 0;
      // prompt_tokens includes the cached ones; the neutral `input` does not (totals add input and cache_read)
      usage.input = Math.max(0, chunk.usage.prompt_tokens - cached);
      usage.output = chunk.usage.completion_tokens;
      usage.cache_read = cached;
    }
    const choice = chunk.choices.find((c) => c.index === 0);
    if (!choice || finish !== undefined) continue;
    const delta = choice.delta;
    if (delta.content) yield { type: 'text', text: delta.content };
    if (delta.refusal) {
      refused = true;
      yield { type: 'text', text: delta.refusal };
    }
    for (const call of delta.tool_calls ?? []) calls.add(call);
    if (choice.finish_reason) {
      finish = choice.finish_reason;
      for (const call of calls.all) {
        if (!call.id || !call.name) throw new AgentSpecError(ErrorCode.UpstreamError, `${capitalised(label)} sent a tool call without an id or a name.`);
        yield { type: 'tool_use', id: call.id, name: call.name, input: parseToolInput(label, call.name, call.json) };
      }
    }
  }
  if (finish === undefined) throw new AgentSpecError(ErrorCode.UpstreamError, `The stream of ${label} ended before the answer finished (no finish_reason).`);
  yield { type: 'usage', usage: { ...usage } };
  yield { type: 'stop', reason: refused ? 'refusal' : mapFinishReason(finish, calls.all.length > 0) };
}

/**
 * Tool calls assembled from their deltas, in the order they began. A delta
 * continues the call at its `index`, unless it brings a new `id` there: some
 * Ollama versions number every call 0, older ones send no index (then a
 * delta without an id continues the latest call).
 */
class ToolCalls {
  readonly all: { id: string; name: string; json: string }[] = [];
  private readonly byIndex = new Map<number, { id: string; name: string; json: string }>();

  add(delta: Chat.ChatCompletionChunk.Choice.Delta.ToolCall): void {
    const index = delta.index as number | undefined;
    let call = index === undefined ? (delta.id ? undefined : this.all.at(-1)) : this.byIndex.get(index);
    if (call && delta.id && call.id && delta.id !== call.id) call = undefined;
    if (!call) {
      this.all.push((call = { id: '', name: '', json: '' }));
      if (index !== undefined) this.byIndex.set(index, call);
    }
    if (delta.id) call.id = delta.id;
    if (delta.function?.name) call.name = delta.function.name;
    if (delta.function?.arguments) call.json += delta.function.arguments;
  }
}

function parseToolInput(label: string, name: string, json: string): unknown {
  if (json.trim() === '') return {};
  try {
    return JSON.parse(json) as unknown;
  } catch (error) {
    throw new AgentSpecError(ErrorCode.UpstreamError, `${capitalised(label)} sent invalid JSON arguments for tool "${name}".`, {
      cause: error,
      details: { tool: name },
    });
  }
}

/**
 * A Chat Completions `finish_reason` as a neutral `StopReason`. A reply with
 * tool calls is `tool_use` whatever it says (some Ollama versions say `stop`).
 */
export function mapFinishReason(reason: string | null | undefined, hasToolCalls = false): StopReason {
  if (hasToolCalls) return 'tool_use';
  switch (reason) {
    case 'stop':
      return 'end_turn';
    case 'length':
      return 'max_tokens';
    case 'tool_calls':
    case 'function_call':
      return 'tool_use';
    case 'content_filter':
      return 'refusal';
    default:
      return 'other';
  }
}

function capitalised(label: string): string {
  return label.charAt(0).toUpperCase() + label.slice(1);
}

function cancelled(cause: unknown): AgentSpecError {
  return new AgentSpecError(ErrorCode.Cancelled, 'The model call was cancelled.', { cause });
}

/**
 * Any failure of a call as an `AgentSpecError`; never includes the API key.
 * The message of a 401 or 403 is left out: OpenAI's quotes part of the key it refused.
 */
function toProviderError(error: unknown, signal: AbortSignal, label: string, baseURL: string, errors: Sdk['errors'] | undefined): AgentSpecError {
  // an abort can surface as a silently ended stream: the signal decides, whatever the symptom
  if (signal.aborted || (errors && error instanceof errors.APIUserAbortError))
    return error instanceof AgentSpecError && error.code === ErrorCode.Cancelled ? error : cancelled(error);
  if (error instanceof AgentSpecError) return error;
  const name = capitalised(label);
  if (errors && error instanceof errors.APIError && !(error instanceof errors.APIConnectionError)) {
    const body = (error.error ?? {}) as { type?: unknown; code?: unknown; message?: unknown };
    const type = typeof body.type === 'string' ? body.type : typeof body.code === 'string' ? body.code : 'unknown_error';
    const secretive = error.status === 401 || error.status === 403;
    const message = secretive ? 'the API key was refused' : typeof body.message === 'string' ? body.message : error.message;
    // an error inside a stream has no HTTP status: the response itself was a 200
    const where = error.status === undefined ? 'failed mid-stream with' : `answered ${error.status}`;
    return new AgentSpecError(ErrorCode.UpstreamError, `${name} ${where} ${type}: ${message}`, {
      cause: secretive ? undefined : error,
      details: { ...(error.status === undefined ? {} : { status: error.status }), type, message, request_id: error.requestID ?? undefined },
    });
  }
  if (errors && error instanceof errors.APIConnectionError) {
    return new AgentSpecError(ErrorCode.UpstreamError, `Could not reach ${label} at ${baseURL}: ${error.message}`, {
      cause: error,
      details: { base_url: baseURL },
    });
  }
  if (error instanceof SyntaxError) {
    return new AgentSpecError(ErrorCode.UpstreamError, `${name} sent a malformed stream (a chunk that is not JSON).`, {
      cause: error,
      details: { base_url: baseURL },
    });
  }
  return new AgentSpecError(ErrorCode.UpstreamError, `The call to ${label} failed.`, { cause: error });
}
