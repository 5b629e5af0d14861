import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOpenAI, type FakeOpenAI } from '../helpers/fake-openai/index.js';

/** POSTs a Chat Completions body to the fake with plain fetch (`key` '' sends no credential). */
async function post(fake: FakeOpenAI, body: Record<string, unknown>, key = 'test-key'): Promise<Response> {
  return fetch(`${fake.baseURL}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body: JSON.stringify(body),
  });
}

/** The `data:` payloads of an SSE body. */
function dataLines(text: string): string[] {
  return text
    .split('\n\n')
    .filter((frame) => frame.trim() !== '')
    .map((frame) => {
      expect(frame.startsWith('data: ')).toBe(true);
      return frame.slice('data: '.length);
    });
}

describe('the fake Chat Completions server speaks the real wire format', () => {
  let fake: FakeOpenAI;

  beforeAll(async () => {
    fake = await startFakeOpenAI();
  });
  afterAll(async () => {
    await fake.close();
  });

  it('streams data-only SSE chunks: role, deltas, tool-call fragments with index and id, finish, usage, [DONE]', async () => {
    fake.script({ text: 'Hi', toolCalls: [{ id: 'call_1', name: 'lookup', fragments: ['{"q":', '"x"}'] }], usage: { prompt_tokens: 7, completion_tokens: 3 } });
    const response = await post(fake, { model: 'gpt-4o-mini', stream: true, stream_options: { include_usage: true }, messages: [] });
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const lines = dataLines(await response.text());
    expect(lines.at(-1)).toBe('[DONE]');
    const chunks = lines
      .slice(0, -1)
      .map((line) => JSON.parse(line) as { object: string; model: string; choices: { delta: unknown; finish_reason: string | null }[]; usage?: unknown });
    expect(chunks.every((c) => c.object === 'chat.completion.chunk' && c.model === 'gpt-4o-mini')).toBe(true);
    expect(chunks.map((c) => c.choices[0]?.delta)).toEqual([
      { role: 'assistant', content: '', refusal: null },
      { content: 'H' },
      { content: 'i' },
      { tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'lookup', arguments: '' } }] },
      { tool_calls: [{ index: 0, function: { arguments: '{"q":' } }] },
      { tool_calls: [{ index: 0, function: { arguments: '"x"}' } }] },
      {},
      undefined,
    ]);
    expect(chunks.at(-2)?.choices[0]?.finish_reason).toBe('tool_calls');
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens: 7, completion_tokens: 3, total_tokens: 10 } });
  });

  it('sends no usage chunk unless stream_options.include_usage asks for it', async () => {
    fake.script({ text: 'Hi' });
    const lines = dataLines(await (await post(fake, { model: 'gpt-4o', stream: true, messages: [] })).text());
    expect(lines.some((line) => line.includes('"usage"'))).toBe(false);
  });

  it('answers a non-streaming call with one chat.completion object', async () => {
    fake.script({ text: 'Hello', usage: { prompt_tokens: 4, completion_tokens: 1 } });
    const body = (await (await post(fake, { model: 'gpt-4o', messages: [] })).json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      object: 'chat.completion',
      choices: [{ index: 0, message: { role: 'assistant', content: 'Hello' }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 4, completion_tokens: 1, total_tokens: 5 },
    });
  });

  it('answers a request without a key with the real 401 body, and an unscripted one with a 400 naming the fake', async () => {
    const unauthorised = await post(fake, { model: 'gpt-4o', messages: [] }, '');
    expect(unauthorised.status).toBe(401);
    expect(await unauthorised.json()).toEqual({
      error: { message: "You didn't provide an API key.", type: 'invalid_request_error', param: null, code: 'invalid_api_key' },
    });
    const unscripted = await post(fake, { model: 'gpt-4o', messages: [] });
    expect(unscripted.status).toBe(400);
    expect(JSON.stringify(await unscripted.json())).toContain('fake-openai');
  });
});
