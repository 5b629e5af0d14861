import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createAnthropicProvider, type AnthropicProviderOptions } from '../../shared/llm/anthropic-provider.js';
import { collect } from '../../shared/llm/collect.js';
import type { ModelEvent, ModelRequest } from '../../shared/llm/types.js';
import { startFakeAnthropic, type FakeAnthropic, type FakeReply } from '../helpers/fake-anthropic/index.js';
import { failureOf } from '../helpers/rejection.js';
import { cancellationContract, unreachableContract } from './provider-contract.js';

const API_KEY = 'test-key-abc123';

function requestOf(overrides: Partial<ModelRequest> = {}): ModelRequest {
  return { model: 'claude-sonnet-4-20250514', messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }], ...overrides };
}

async function eventsOf(stream: AsyncIterable<ModelEvent>): Promise<ModelEvent[]> {
  const events: ModelEvent[] = [];
  for await (const event of stream) events.push(event);
  return events;
}

describe('createAnthropicProvider against the fake Messages API', () => {
  let fake: FakeAnthropic;
  const provider = (options: AnthropicProviderOptions = {}) => createAnthropicProvider({ apiKey: API_KEY, baseURL: fake.url, ...options });

  beforeAll(async () => {
    fake = await startFakeAnthropic();
  });
  afterAll(async () => {
    await fake.close();
  });
  afterEach(() => {
    fake.requests.length = 0;
  });

  it('streams text deltas as they arrive, then usage and the stop reason', async () => {
    // Prepare
    fake.script({ text: ['Hel', 'lo ', 'world'], usage: { input_tokens: 12, output_tokens: 3 } });
    // Act
    const events = await eventsOf(provider().stream(requestOf(), new AbortController().signal));
    // Assess
    expect(events).toEqual([
      { type: 'text', text: 'Hel' },
      { type: 'text', text: 'lo ' },
      { type: 'text', text: 'world' },
      { type: 'usage', usage: { input: 12, output: 3, cache_read: 0, cache_write: 0 } },
      { type: 'stop', reason: 'end_turn' },
    ]);
  });

  it('reads each response to its end, so consecutive calls share one kept-alive connection', async () => {
    // Prepare: a fresh fake, so no connection from another test is counted
    const own = await startFakeAnthropic();
    try {
      // the end of each response comes 30 ms after message_stop, as it may from the real API over TLS
      const words = ['one', 'two', 'three', 'four', 'five'];
      own.script(...words.map((text) => ({ text, endDelayMs: 30 })));
      const client = createAnthropicProvider({ apiKey: API_KEY, baseURL: own.url });
      // Act
      const texts: string[] = [];
      for (let i = 0; i < words.length; i++) {
        const events = await eventsOf(client.stream(requestOf(), new AbortController().signal));
        texts.push(events.flatMap((e) => (e.type === 'text' ? [e.text] : [])).join(''));
      }
      // Assess: leaving the stream at message_stop aborted the request, which closed the connection (a new TCP and TLS handshake per model call)
      expect(texts).toEqual(words);
      expect(own.requests).toHaveLength(5);
      expect(own.aborted).toBe(0);
      expect(own.connections).toBe(1);
    } finally {
      await own.close();
    }
  });

  it('assembles tool inputs from several input_json_delta chunks, one event per tool use', async () => {
    fake.script({
      text: 'Let me look.',
      toolUses: [
        { id: 'toolu_1', name: 'lookup', input: { query: 'order 42', options: { deep: true, tags: ['a', 'b'] } } },
        { id: 'toolu_2', name: 'weather', input: { city: 'Zürich' } },
      ],
    });
    const response = await collect(provider().stream(requestOf(), new AbortController().signal));
    expect(response.text).toBe('Let me look.');
    expect(response.toolUses).toEqual([
      { id: 'toolu_1', name: 'lookup', input: { query: 'order 42', options: { deep: true, tags: ['a', 'b'] } } },
      { id: 'toolu_2', name: 'weather', input: { city: 'Zürich' } },
    ]);
    expect(response.stop).toBe('tool_use');
  });

  it('reports cache read and cache write tokens', async () => {
    fake.script({ text: 'ok', usage: { input_tokens: 5, output_tokens: 2, cache_read_input_tokens: 1800, cache_creation_input_tokens: 300 } });
    const { usage } = await collect(provider().stream(requestOf(), new AbortController().signal));
    expect(usage).toEqual({ input: 5, output: 2, cache_read: 1800, cache_write: 300 });
  });

  it('sends the exact request: cached system block, cache_control on the last tool only, temperature, max_tokens, model', async () => {
    fake.script({ text: 'ok' });
    const request = requestOf({
      system: 'You are helpful.',
      temperature: 0.2,
      tools: [
        { name: 'a', description: 'first', input_schema: { type: 'object', properties: { x: { type: 'string' } } } },
        { name: 'b', description: 'second', input_schema: { type: 'object', properties: {} } },
      ],
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'go' }] },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_9', name: 'a', input: { x: '1' } }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_9', content: 'boom', is_error: true }] },
      ],
    });
    await collect(provider().stream(request, new AbortController().signal));
    const [sent] = fake.requests;
    expect(sent?.path).toBe('/v1/messages');
    expect(sent?.apiKey).toBe(API_KEY);
    expect(sent?.headers['anthropic-version']).toBeTypeOf('string');
    expect(sent?.body).toEqual({
      model: 'claude-sonnet-4-20250514',
      max_tokens: 4096,
      stream: true,
      temperature: 0.2,
      system: [{ type: 'text', text: 'You are helpful.', cache_control: { type: 'ephemeral' } }],
      tools: [
        { name: 'a', description: 'first', input_schema: { type: 'object', properties: { x: { type: 'string' } } } },
        { name: 'b', description: 'second', input_schema: { type: 'object', properties: {} }, cache_control: { type: 'ephemeral' } },
      ],
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'go' }] },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_9', name: 'a', input: { x: '1' } }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_9', content: 'boom', is_error: true }] },
      ],
    });
  });

  it('uses the request max_tokens, else the configured default, and omits temperature when unset', async () => {
    fake.script({ text: 'a' }, { text: 'b' });
    await collect(provider().stream(requestOf({ max_tokens: 123 }), new AbortController().signal));
    await collect(provider({ defaultMaxTokens: 777 }).stream(requestOf(), new AbortController().signal));
    expect(fake.requests.map((r) => r.body.max_tokens)).toEqual([123, 777]);
    expect(fake.requests.every((r) => !('temperature' in r.body) && !('system' in r.body) && !('tools' in r.body))).toBe(true);
  });

  it('retries a 429 after the delay its retry-after header asks for', async () => {
    // Prepare: 1 s is longer than the SDK's own first backoff (at most 0.5 s), so only the header explains the wait
    fake.script({ status: 429, error: { type: 'rate_limit_error', message: 'slow down' }, headers: { 'retry-after': '1' } }, { text: 'after the wait' });
    const arrivals: number[] = [];
    fake.respond(() => ({ status: 500, error: { type: 'api_error', message: 'unexpected third call' } }));
    const t0 = Date.now();
    // Act
    const stream = provider().stream(requestOf(), new AbortController().signal);
    const response = await collect(stream);
    arrivals.push(Date.now() - t0);
    // Assess
    expect(response.text).toBe('after the wait');
    expect(fake.requests).toHaveLength(2);
    expect(arrivals[0]).toBeGreaterThanOrEqual(950);
  });

  it('retries 529 overloaded and 500 errors, then succeeds', async () => {
    fake.script(
      { status: 529, error: { type: 'overloaded_error', message: 'Overloaded' }, headers: { 'retry-after-ms': '5' } },
      { status: 500, error: { type: 'api_error', message: 'Internal error' }, headers: { 'retry-after-ms': '5' } },
      { text: 'third time lucky' },
    );
    const response = await collect(provider().stream(requestOf(), new AbortController().signal));
    expect(response.text).toBe('third time lucky');
    expect(fake.requests).toHaveLength(3);
  });

  it('does not retry a 400 and maps it to upstream_error with status, type and message but never the key', async () => {
    fake.script({ status: 400, error: { type: 'invalid_request_error', message: 'messages: field required' } }, { text: 'never sent' });
    const error = await failureOf(collect(provider().stream(requestOf(), new AbortController().signal)));
    expect(error.code).toBe('upstream_error');
    expect(error.details).toMatchObject({ status: 400, type: 'invalid_request_error', message: 'messages: field required' });
    expect(error.message).toContain('invalid_request_error');
    expect(JSON.stringify({ message: error.message, details: error.details })).not.toContain(API_KEY);
    expect(fake.requests).toHaveLength(1);
    fake.script(); // the unused reply stays queued; drain it for the next test
    await collect(provider().stream(requestOf(), new AbortController().signal));
  });

  it('gives up with upstream_error once retries are exhausted', async () => {
    const overloaded = { status: 529, error: { type: 'overloaded_error', message: 'Overloaded' }, headers: { 'retry-after-ms': '1' } };
    fake.script(overloaded, overloaded);
    const error = await failureOf(collect(provider({ maxRetries: 1 }).stream(requestOf(), new AbortController().signal)));
    expect(error.code).toBe('upstream_error');
    expect(error.details).toMatchObject({ status: 529, type: 'overloaded_error' });
    expect(fake.requests).toHaveLength(2);
  });

  cancellationContract<FakeReply>({
    fake: () => fake,
    provider: () => provider(),
    request: requestOf(),
    hanging: { text: ['first', 'never'], hang: true },
    late: { text: 'late', firstByteDelayMs: 5000 },
    fallback: { status: 400, error: { type: 'invalid_request_error', message: 'unscripted' } },
  });

  it('maps an error event inside the stream to upstream_error after the text already passed on', async () => {
    fake.script({ text: ['partial ', 'rest'], streamError: { type: 'overloaded_error', message: 'Overloaded' } });
    const seen: ModelEvent[] = [];
    const error = await failureOf(
      (async () => {
        for await (const event of provider().stream(requestOf(), new AbortController().signal)) seen.push(event);
      })(),
    );
    expect(seen).toEqual([{ type: 'text', text: 'partial ' }]);
    expect(error.code).toBe('upstream_error');
    expect(error.details).toMatchObject({ type: 'overloaded_error', message: 'Overloaded' });
  });

  it('reads ANTHROPIC_API_KEY and ANTHROPIC_BASE_URL from the environment at call time', async () => {
    const saved = { key: process.env.ANTHROPIC_API_KEY, url: process.env.ANTHROPIC_BASE_URL };
    const fromEnv = createAnthropicProvider();
    process.env.ANTHROPIC_API_KEY = 'env-key';
    process.env.ANTHROPIC_BASE_URL = fake.url;
    try {
      fake.script({ text: 'from env' });
      const response = await collect(fromEnv.stream(requestOf(), new AbortController().signal));
      expect(response.text).toBe('from env');
      expect(fake.requests[0]?.apiKey).toBe('env-key');
    } finally {
      restoreEnv('ANTHROPIC_API_KEY', saved.key);
      restoreEnv('ANTHROPIC_BASE_URL', saved.url);
    }
  });

  it('fails at once with unavailable naming ANTHROPIC_API_KEY when no key is set', async () => {
    const saved = process.env.ANTHROPIC_API_KEY;
    delete process.env.ANTHROPIC_API_KEY;
    try {
      const error = await failureOf(collect(createAnthropicProvider({ baseURL: fake.url }).stream(requestOf(), new AbortController().signal)));
      expect(error.code).toBe('unavailable');
      expect(error.message).toContain('ANTHROPIC_API_KEY');
      expect(fake.requests).toHaveLength(0);
    } finally {
      restoreEnv('ANTHROPIC_API_KEY', saved);
    }
  });
});

describe('createAnthropicProvider with an unreachable API', () => {
  unreachableContract({
    provider: (baseURL, maxRetries) => createAnthropicProvider({ apiKey: API_KEY, baseURL, maxRetries }),
    request: requestOf(),
    baseURL: (address) => address,
    apiKey: API_KEY,
  });
});

function restoreEnv(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}
