import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { collect } from '../../shared/llm/collect.js';
import { createOllamaProvider, createOpenAIProvider, type OpenAIProviderOptions } from '../../shared/llm/openai-provider.js';
import type { ModelEvent, ModelRequest } from '../../shared/llm/types.js';
import { startFakeOpenAI, type FakeChatAnswer, type FakeOpenAI } from '../helpers/fake-openai/index.js';
import { freePort } from '../helpers/free-port.js';
import { failureOf } from '../helpers/rejection.js';
import { cancellationContract, unreachableContract } from './provider-contract.js';

const API_KEY = 'test-key-openai-123';

function requestOf(overrides: Partial<ModelRequest> = {}): ModelRequest {
  return { model: 'gpt-4o-mini', messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }], ...overrides };
}

async function eventsOf(stream: AsyncIterable<ModelEvent>): Promise<ModelEvent[]> {
  const events: ModelEvent[] = [];
  for await (const event of stream) events.push(event);
  return events;
}

/** Runs `fn` with the given variables set (undefined: unset), restoring them after. */
async function withEnv<T>(vars: Record<string, string | undefined>, fn: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(vars).map((name) => [name, process.env[name]]));
  const apply = (values: Record<string, string | undefined>) => {
    for (const [name, value] of Object.entries(values)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
  apply(vars);
  try {
    return await fn();
  } finally {
    apply(saved);
  }
}

describe('createOpenAIProvider against the fake Chat Completions API', () => {
  let fake: FakeOpenAI;
  const provider = (options: OpenAIProviderOptions = {}) => createOpenAIProvider({ apiKey: API_KEY, baseURL: fake.baseURL, ...options });

  beforeAll(async () => {
    fake = await startFakeOpenAI();
  });
  afterAll(async () => {
    await fake.close();
  });
  afterEach(() => {
    fake.requests.length = 0;
  });

  it('streams text deltas as they arrive, then usage and the stop reason', async () => {
    fake.script({ text: ['Hel', 'lo ', 'world'], usage: { prompt_tokens: 12, completion_tokens: 3 } });
    const events = await eventsOf(provider().stream(requestOf(), new AbortController().signal));
    expect(events).toEqual([
      { type: 'text', text: 'Hel' },
      { type: 'text', text: 'lo ' },
      { type: 'text', text: 'world' },
      { type: 'usage', usage: { input: 12, output: 3, cache_read: 0, cache_write: 0 } },
      { type: 'stop', reason: 'end_turn' },
    ]);
  });

  it('assembles tool-call arguments from their fragments into one tool_use per call, in index order', async () => {
    fake.script({
      text: 'Let me look.',
      toolCalls: [
        { id: 'call_1', name: 'lookup', fragments: ['{"query":"ord', 'er 42","options":{"deep":tr', 'ue,"tags":["a","b"]}}'] },
        { id: 'call_2', name: 'weather', input: { city: 'Zürich' } },
      ],
    });
    const events = await eventsOf(provider().stream(requestOf(), new AbortController().signal));
    expect(events.filter((e) => e.type !== 'text')).toEqual([
      { type: 'tool_use', id: 'call_1', name: 'lookup', input: { query: 'order 42', options: { deep: true, tags: ['a', 'b'] } } },
      { type: 'tool_use', id: 'call_2', name: 'weather', input: { city: 'Zürich' } },
      { type: 'usage', usage: { input: 10, output: 5, cache_read: 0, cache_write: 0 } },
      { type: 'stop', reason: 'tool_use' },
    ]);
  });

  it.each(['zero', 'absent'] as const)('keeps parallel tool calls apart when every delta has index %s (as Ollama sends them)', async (toolCallIndex) => {
    fake.script({
      toolCallIndex,
      toolCalls: [
        { id: 'call_a', name: 'write', input: { path: 'a.txt' } },
        { id: 'call_b', name: 'write', input: { path: 'b.txt' } },
      ],
    });
    const response = await collect(provider().stream(requestOf(), new AbortController().signal));
    expect(response.toolUses).toEqual([
      { id: 'call_a', name: 'write', input: { path: 'a.txt' } },
      { id: 'call_b', name: 'write', input: { path: 'b.txt' } },
    ]);
  });

  it('counts cached prompt tokens as cache_read, not twice as input', async () => {
    fake.script({ text: 'ok', usage: { prompt_tokens: 2000, completion_tokens: 2, cached_tokens: 1800 } });
    const { usage } = await collect(provider().stream(requestOf(), new AbortController().signal));
    expect(usage).toEqual({ input: 200, output: 2, cache_read: 1800, cache_write: 0 });
  });

  it.each([
    ['length', 'max_tokens'],
    ['content_filter', 'refusal'],
  ] as const)('maps finish_reason %s to %s', async (finishReason, stop) => {
    fake.script({ text: 'cut', finishReason });
    const response = await collect(provider().stream(requestOf(), new AbortController().signal));
    expect(response.stop).toBe(stop);
  });

  it('passes a refusal on as text and stops with refusal', async () => {
    fake.script({ refusal: 'I cannot help with that.' });
    const response = await collect(provider().stream(requestOf(), new AbortController().signal));
    expect(response.text).toBe('I cannot help with that.');
    expect(response.stop).toBe('refusal');
  });

  it('sends the exact request: system message, tools as functions, tool calls and tool results, temperature, max_completion_tokens, usage in the stream', async () => {
    fake.script({ text: 'ok' });
    const request = requestOf({
      system: 'You are helpful.',
      temperature: 0.2,
      max_tokens: 321,
      tool_choice: { type: 'any' },
      tools: [
        { name: 'a', description: 'first', input_schema: { type: 'object', properties: { x: { type: 'string' } }, required: ['x'] } },
        { name: 'b', description: 'second', input_schema: { properties: {} } },
      ],
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'go' }] },
        {
          role: 'assistant',
          content: [
            { type: 'text', text: 'Calling.' },
            { type: 'tool_use', id: 'call_9', name: 'a', input: { x: '1' } },
            { type: 'tool_use', id: 'call_10', name: 'b', input: {} },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'call_9', content: 'boom', is_error: true },
            { type: 'tool_result', tool_use_id: 'call_10', content: '{"ok":true}' },
            { type: 'text', text: 'and now?' },
          ],
        },
      ],
    });
    await collect(provider().stream(request, new AbortController().signal));
    const [sent] = fake.requests;
    expect(sent?.path).toBe('/v1/chat/completions');
    expect(sent?.apiKey).toBe(API_KEY);
    expect(sent?.body).toEqual({
      model: 'gpt-4o-mini',
      stream: true,
      stream_options: { include_usage: true },
      max_completion_tokens: 321,
      temperature: 0.2,
      tool_choice: 'required',
      tools: [
        {
          type: 'function',
          function: { name: 'a', description: 'first', parameters: { type: 'object', properties: { x: { type: 'string' } }, required: ['x'] } },
        },
        { type: 'function', function: { name: 'b', description: 'second', parameters: { type: 'object', properties: {} } } },
      ],
      messages: [
        { role: 'system', content: 'You are helpful.' },
        { role: 'user', content: 'go' },
        {
          role: 'assistant',
          content: 'Calling.',
          tool_calls: [
            { id: 'call_9', type: 'function', function: { name: 'a', arguments: '{"x":"1"}' } },
            { id: 'call_10', type: 'function', function: { name: 'b', arguments: '{}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'call_9', content: 'Error: boom' },
        { role: 'tool', tool_call_id: 'call_10', content: '{"ok":true}' },
        { role: 'user', content: 'and now?' },
      ],
    });
  });

  it('sends a named tool choice as a function, the default output limit when none is set, and no temperature, system or tools when unset', async () => {
    fake.script({ text: 'a' }, { text: 'b' });
    await collect(provider().stream(requestOf({ tool_choice: { type: 'tool', name: 'route' } }), new AbortController().signal));
    await collect(provider({ defaultMaxTokens: 777 }).stream(requestOf(), new AbortController().signal));
    expect(fake.requests[0]?.body.tool_choice).toEqual({ type: 'function', function: { name: 'route' } });
    expect(fake.requests.map((r) => r.body.max_completion_tokens)).toEqual([4096, 777]);
    expect(fake.requests[1]?.body.messages).toEqual([{ role: 'user', content: 'hi' }]);
    expect(fake.requests.every((r) => !('temperature' in r.body) && !('tools' in r.body) && !('max_tokens' in r.body))).toBe(true);
  });

  it('reads each response to its end, so consecutive calls share one kept-alive connection', async () => {
    const own = await startFakeOpenAI();
    try {
      const words = ['one', 'two', 'three', 'four'];
      own.script(...words.map((text) => ({ text })));
      const client = createOpenAIProvider({ apiKey: API_KEY, baseURL: own.baseURL });
      const texts: string[] = [];
      for (const _ of words) texts.push((await collect(client.stream(requestOf(), new AbortController().signal))).text);
      expect(texts).toEqual(words);
      expect(own.aborted).toBe(0);
      expect(own.connections).toBe(1);
    } finally {
      await own.close();
    }
  });

  it('retries a 429 after the delay its retry-after header asks for', async () => {
    // 1 s is longer than the SDK's own first backoff (at most 0.5 s), so only the header explains the wait
    fake.script(
      { status: 429, error: { type: 'requests', code: 'rate_limit_exceeded', message: 'Rate limit reached' }, headers: { 'retry-after': '1' } },
      { text: 'after the wait' },
    );
    const t0 = Date.now();
    const response = await collect(provider().stream(requestOf(), new AbortController().signal));
    expect(response.text).toBe('after the wait');
    expect(fake.requests).toHaveLength(2);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(950);
  });

  it('retries 500 and 503 errors, then succeeds', async () => {
    fake.script(
      { status: 500, error: { type: 'server_error', message: 'The server had an error' }, headers: { 'retry-after-ms': '5' } },
      { status: 503, error: { type: 'server_error', message: 'Overloaded' }, headers: { 'retry-after-ms': '5' } },
      { text: 'third time lucky' },
    );
    const response = await collect(provider().stream(requestOf(), new AbortController().signal));
    expect(response.text).toBe('third time lucky');
    expect(fake.requests).toHaveLength(3);
  });

  it('does not retry a 400 and maps it to upstream_error with status, type and message but never the key', async () => {
    fake.script({ status: 400, error: { type: 'invalid_request_error', message: "Invalid value for 'messages'." } });
    const error = await failureOf(collect(provider().stream(requestOf(), new AbortController().signal)));
    expect(error.code).toBe('upstream_error');
    expect(error.details).toMatchObject({ status: 400, type: 'invalid_request_error', message: "Invalid value for 'messages'." });
    expect(error.message).toContain('invalid_request_error');
    expect(JSON.stringify({ message: error.message, details: error.details })).not.toContain(API_KEY);
    expect(fake.requests).toHaveLength(1);
  });

  it('maps a 401 to upstream_error without the upstream message, which quotes part of the refused key', async () => {
    fake.script({
      status: 401,
      error: { type: 'invalid_request_error', code: 'invalid_api_key', message: 'Incorrect API key provided: test-key********-123.' },
    });
    const error = await failureOf(collect(provider().stream(requestOf(), new AbortController().signal)));
    expect(error.code).toBe('upstream_error');
    expect(error.details).toMatchObject({ status: 401, type: 'invalid_request_error' });
    const shown = JSON.stringify({ message: error.message, details: error.details, cause: String(error.cause) });
    expect(shown).not.toContain('-123');
    expect(shown).not.toContain(API_KEY);
    expect(fake.requests).toHaveLength(1);
  });

  it('gives up with upstream_error once retries are exhausted', async () => {
    const failing = { status: 502, error: { type: 'server_error', message: 'Bad gateway' }, headers: { 'retry-after-ms': '1' } };
    fake.script(failing, failing);
    const error = await failureOf(collect(provider({ maxRetries: 1 }).stream(requestOf(), new AbortController().signal)));
    expect(error.code).toBe('upstream_error');
    expect(error.details).toMatchObject({ status: 502, type: 'server_error' });
    expect(fake.requests).toHaveLength(2);
  });

  it('maps an error chunk inside the stream to upstream_error after the text already passed on', async () => {
    fake.script({ text: ['partial ', 'rest'], streamError: { type: 'server_error', message: 'The model crashed' } });
    const seen: ModelEvent[] = [];
    const error = await failureOf(
      (async () => {
        for await (const event of provider().stream(requestOf(), new AbortController().signal)) seen.push(event);
      })(),
    );
    expect(seen).toEqual([{ type: 'text', text: 'partial ' }]);
    expect(error.code).toBe('upstream_error');
    expect(error.details).toMatchObject({ type: 'server_error', message: 'The model crashed' });
  });

  it('maps a chunk that is not JSON to upstream_error', async () => {
    fake.script({ text: ['fine ', 'then'], malformed: true });
    const error = await failureOf(collect(provider().stream(requestOf(), new AbortController().signal)));
    expect(error.code).toBe('upstream_error');
    expect(error.message).toContain('malformed stream');
  });

  it('maps a stream that ends before its finish_reason to upstream_error', async () => {
    fake.script({ text: ['half ', 'way'], truncated: true });
    const error = await failureOf(collect(provider().stream(requestOf(), new AbortController().signal)));
    expect(error.code).toBe('upstream_error');
    expect(error.message).toContain('finish_reason');
  });

  it('maps tool-call arguments that are not JSON to upstream_error naming the tool', async () => {
    fake.script({ toolCalls: [{ id: 'call_x', name: 'lookup', fragments: ['{"q":', '"unterminated'] }] });
    const error = await failureOf(collect(provider().stream(requestOf(), new AbortController().signal)));
    expect(error.code).toBe('upstream_error');
    expect(error.details).toEqual({ tool: 'lookup' });
  });

  cancellationContract<FakeChatAnswer>({
    fake: () => fake,
    provider: () => provider(),
    request: requestOf(),
    hanging: { text: ['first', 'never'], hang: true },
    late: { text: 'late', firstByteDelayMs: 5000 },
    fallback: { status: 400, error: { type: 'invalid_request_error', message: 'unscripted' } },
  });

  it('reads OPENAI_API_KEY and OPENAI_BASE_URL from the environment at call time', async () => {
    const fromEnv = createOpenAIProvider();
    await withEnv({ OPENAI_API_KEY: 'env-key', OPENAI_BASE_URL: fake.baseURL }, async () => {
      fake.script({ text: 'from env' });
      const response = await collect(fromEnv.stream(requestOf(), new AbortController().signal));
      expect(response.text).toBe('from env');
      expect(fake.requests[0]?.apiKey).toBe('env-key');
    });
  });

  it('fails at once with unavailable naming OPENAI_API_KEY when no key is set', async () => {
    await withEnv({ OPENAI_API_KEY: undefined }, async () => {
      const error = await failureOf(collect(createOpenAIProvider({ baseURL: fake.baseURL }).stream(requestOf(), new AbortController().signal)));
      expect(error.code).toBe('unavailable');
      expect(error.message).toContain('OPENAI_API_KEY');
      expect(error.details).toEqual({ env: 'OPENAI_API_KEY' });
      expect(fake.requests).toHaveLength(0);
    });
  });
});

describe('createOllamaProvider against the fake Chat Completions API', () => {
  let fake: FakeOpenAI;

  beforeAll(async () => {
    fake = await startFakeOpenAI({ requireKey: false });
  });
  afterAll(async () => {
    await fake.close();
  });
  afterEach(() => {
    fake.requests.length = 0;
  });

  it('calls <OLLAMA_HOST>/v1 without a key, sends max_tokens, and never sends the OpenAI key or organisation', async () => {
    await withEnv(
      { OLLAMA_HOST: `${fake.url}/`, OPENAI_API_KEY: 'openai-key-not-for-ollama', OPENAI_BASE_URL: 'http://127.0.0.1:9/v1', OPENAI_ORG_ID: 'org-test' },
      async () => {
        fake.script({ toolCalls: [{ id: 'call_o1', name: 'lookup', fragments: ['{"q":"x"}'] }], finishReason: 'stop' });
        const response = await collect(createOllamaProvider().stream(requestOf({ model: 'llama3.1', max_tokens: 256 }), new AbortController().signal));
        // some Ollama versions finish a tool-calling reply with "stop": the tool call decides
        expect(response.stop).toBe('tool_use');
        expect(response.toolUses).toEqual([{ id: 'call_o1', name: 'lookup', input: { q: 'x' } }]);
      },
    );
    const [sent] = fake.requests;
    expect(sent?.path).toBe('/v1/chat/completions');
    expect(sent?.body).toMatchObject({ model: 'llama3.1', max_tokens: 256, stream: true, stream_options: { include_usage: true } });
    expect(sent?.body).not.toHaveProperty('max_completion_tokens');
    expect(sent?.apiKey).toBe('ollama');
    expect(sent?.headers['openai-organization']).toBeUndefined();
  });

  it('takes OLLAMA_HOST without a scheme as http', async () => {
    await withEnv({ OLLAMA_HOST: fake.url.replace('http://', '') }, async () => {
      fake.script({ text: 'local' });
      const response = await collect(createOllamaProvider().stream(requestOf({ model: 'llama3.1' }), new AbortController().signal));
      expect(response.text).toBe('local');
    });
  });
});

describe('the Chat Completions providers with an unreachable API', () => {
  unreachableContract({
    provider: (baseURL, maxRetries) => createOpenAIProvider({ apiKey: API_KEY, baseURL, maxRetries }),
    request: requestOf(),
    baseURL: (address) => `${address}/v1`,
    apiKey: API_KEY,
  });

  it('names Ollama and its address when Ollama is not running', async () => {
    const deadURL = `http://127.0.0.1:${await freePort()}`;
    await withEnv({ OLLAMA_HOST: deadURL }, async () => {
      const error = await failureOf(collect(createOllamaProvider({ maxRetries: 0 }).stream(requestOf({ model: 'llama3.1' }), new AbortController().signal)));
      expect(error.code).toBe('upstream_error');
      expect(error.message).toBe(`Could not reach Ollama at ${deadURL}/v1: Connection error.`);
    });
  });
});
