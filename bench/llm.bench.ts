/**
 * Model provider and session figures: one streamed call through the Anthropic
 * provider against the zero-latency fake server, side by side with the same
 * call made by a bare `fetch` + SSE parse (the HTTP floor); then session
 * writes and memory strategies in memory.
 */
import { createParser } from 'eventsource-parser';
import { createAnthropicProvider } from '../shared/llm/anthropic-provider.js';
import { collect } from '../shared/llm/collect.js';
import type { Message, ModelRequest } from '../shared/llm/types.js';
import { slidingWindow } from '../shared/sessions/memory/sliding-window.js';
import { MemorySessionStore } from '../shared/sessions/memory-store.js';
import { updateSession } from '../shared/sessions/update-session.js';
import { startFakeAnthropic } from '../test/helpers/fake-anthropic/index.js';
import { measure, ms, section, type Bench } from './harness.js';

const request: ModelRequest = {
  model: 'claude-x',
  system: 'You are terse.',
  messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }],
  tools: [{ name: 'lookup', description: 'look up', input_schema: { type: 'object', properties: { q: { type: 'string' } } } }],
};

const bench: Bench = async () => {
  const fake = await startFakeAnthropic();
  fake.respond(() => ({ text: 'Hello there, how can I help?', toolUses: [{ name: 'lookup', input: { q: 'abc' } }] }));
  const provider = createAnthropicProvider({ apiKey: 'bench-key', baseURL: fake.url, maxRetries: 0 });
  try {
    const rawBody = JSON.stringify({ ...request, max_tokens: 4096, stream: true });
    const raw = async () => {
      const response = await fetch(`${fake.url}/v1/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': 'bench-key' },
        body: rawBody,
      });
      let n = 0;
      const parser = createParser({ onEvent: () => n++ });
      parser.feed(await response.text());
      return n;
    };
    const viaProvider = () => collect(provider.stream(request, new AbortController().signal));
    // both measured in the same run, one after the other, with the same warm-up
    const rawStats = await measure(raw, { iterations: 300 });
    const providerStats = await measure(viaProvider, { iterations: 300 });
    section('llm: one streamed call to the zero-latency fake (text + one tool use)', [
      ['bare fetch + SSE parse, median / p99', `${ms(rawStats.median)} / ${ms(rawStats.p99)}`],
      ['Anthropic provider (SDK), median / p99', `${ms(providerStats.median)} / ${ms(providerStats.p99)}`],
      ['provider overhead over bare HTTP, median', `${ms(providerStats.median - rawStats.median)} (×${(providerStats.median / rawStats.median).toFixed(2)})`],
    ]);
  } finally {
    await fake.close();
  }

  const store = new MemorySessionStore();
  const session = await store.create('bench');
  const turn: Message[] = [
    { role: 'user', content: [{ type: 'text', text: 'q' }] },
    { role: 'assistant', content: [{ type: 'text', text: 'a' }] },
  ];
  // a 50-message session: each write appends a turn and drops the oldest, so the size stays put
  await updateSession(store, 'bench', session.id, (s) => void s.messages.push(...Array.from({ length: 25 }, () => turn).flat()));
  const append = await measure(
    () =>
      updateSession(store, 'bench', session.id, (s) => {
        s.messages.splice(0, 2);
        s.messages.push(...turn);
      }),
    { iterations: 500 },
  );
  const contended = await measure(
    () =>
      Promise.all(Array.from({ length: 20 }, () => updateSession(store, 'bench', session.id, (s) => void s.messages.splice(0, s.messages.length, ...turn)))),
    { iterations: 20, warmup: 2 },
  );
  const history: Message[] = Array.from({ length: 1000 }, (_, i) => turn[i % 2]!);
  const window = await measure(() => slidingWindow(history, 50), { iterations: 2000 });
  section('sessions (in memory)', [
    ['updateSession append to a 50-message session, median / p99', `${ms(append.median)} / ${ms(append.p99)}`],
    ['20 concurrent updateSession writers, all landed, median', ms(contended.median)],
    ['slidingWindow over 1000 messages, median', ms(window.median)],
  ]);
  await store.close();
};

export default bench;
