/** The fake server's wire format, read raw (no SDK), so that the provider tests stand on a faithful fake. */
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeAnthropic, type FakeAnthropic } from '../helpers/fake-anthropic/index.js';

const headers = { 'content-type': 'application/json', 'x-api-key': 'test-key', 'anthropic-version': '2023-06-01' };
const body = (extra: Record<string, unknown> = {}) =>
  JSON.stringify({ model: 'claude-x', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }], ...extra });

async function sseOf(response: Response): Promise<EventSourceMessage[]> {
  const events: EventSourceMessage[] = [];
  const parser = createParser({ onEvent: (event) => events.push(event) });
  parser.feed(await response.text());
  return events;
}

describe('fake Anthropic wire format', () => {
  let fake: FakeAnthropic;

  beforeAll(async () => {
    fake = await startFakeAnthropic();
  });
  afterAll(async () => {
    await fake.close();
  });

  it('streams the real event sequence with event: lines matching each data type', async () => {
    fake.script({
      text: 'Hello there',
      toolUses: [{ id: 'toolu_a', name: 'f', input: { k: 'value that is long' } }],
      usage: { input_tokens: 7, output_tokens: 9, cache_read_input_tokens: 2 },
    });
    const response = await fetch(`${fake.url}/v1/messages`, { method: 'POST', headers, body: body({ stream: true }) });
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const events = await sseOf(response);
    const names = events.map((e) => e.event);
    expect(names[0]).toBe('message_start');
    expect(names.at(-2)).toBe('message_delta');
    expect(names.at(-1)).toBe('message_stop');
    for (const e of events) expect((JSON.parse(e.data) as { type: string }).type).toBe(e.event);
    const deltas = events.filter((e) => e.event === 'content_block_delta').map((e) => JSON.parse(e.data) as { index: number; delta: Record<string, string> });
    const text = deltas.filter((d) => d.delta.type === 'text_delta');
    const json = deltas.filter((d) => d.delta.type === 'input_json_delta');
    expect(text.length).toBeGreaterThan(1);
    expect(json.length).toBeGreaterThan(1);
    expect(text.map((d) => d.delta.text).join('')).toBe('Hello there');
    expect(JSON.parse(json.map((d) => d.delta.partial_json).join(''))).toEqual({ k: 'value that is long' });
    const delta = JSON.parse(events.at(-2)!.data) as { delta: { stop_reason: string }; usage: Record<string, number> };
    expect(delta.delta.stop_reason).toBe('tool_use');
    expect(delta.usage).toMatchObject({ output_tokens: 9, cache_read_input_tokens: 2 });
  });

  it('answers a non-streaming request with the JSON message', async () => {
    fake.script({ text: 'plain' });
    const response = await fetch(`${fake.url}/v1/messages`, { method: 'POST', headers, body: body() });
    expect(await response.json()).toMatchObject({ type: 'message', role: 'assistant', content: [{ type: 'text', text: 'plain' }], stop_reason: 'end_turn' });
  });

  it('sends error replies in the real body shape with their status and headers', async () => {
    fake.script({ status: 429, error: { type: 'rate_limit_error', message: 'slow' }, headers: { 'retry-after': '3' } });
    const response = await fetch(`${fake.url}/v1/messages`, { method: 'POST', headers, body: body() });
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('3');
    expect(await response.json()).toEqual({ type: 'error', error: { type: 'rate_limit_error', message: 'slow' } });
  });

  it('refuses a request without credentials with 401, and an unscripted one with a 400 naming the fake', async () => {
    const noKey = await fetch(`${fake.url}/v1/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: body() });
    expect(noKey.status).toBe(401);
    const unscripted = await fetch(`${fake.url}/v1/messages`, { method: 'POST', headers, body: body() });
    expect(unscripted.status).toBe(400);
    expect(JSON.stringify(await unscripted.json())).toContain('fake-anthropic');
  });

  it('answers from respond() with the recorded request once the script is used up', async () => {
    fake.respond((request, index) => ({ text: `#${index} ${String(request.body.model)}` }));
    const response = await fetch(`${fake.url}/v1/messages`, { method: 'POST', headers, body: body() });
    const message = (await response.json()) as { content: { text: string }[] };
    expect(message.content[0]?.text).toBe(`#${fake.requests.length - 1} claude-x`);
  });
});
