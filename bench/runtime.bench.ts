/**
 * Runtime overhead: one invocation with a zero-latency model that asks for
 * one tool and then answers, and a no-op tool. Everything timed is the
 * runtime's own work (prompt, limits, events, tool dispatch, accounting),
 * since the model and the tool cost nothing. The same run through the real
 * Anthropic provider and the fake HTTP server is printed for reference.
 */
import type { ModelEvent, ModelProvider, ModelRequest } from '../shared/llm/types.js';
import { Runtime } from '../shared/loop/runtime.js';
import type { ToolRegistry } from '../shared/tools/types.js';
import { agent, irOf, prompt } from '../test/helpers/ir-builder.js';
import { measure, ms, section } from './harness.js';

const USAGE = { input: 20, output: 10, cache_read: 0, cache_write: 0 };
const TOOL_TURN: ModelEvent[] = [
  { type: 'tool_use', id: 'toolu_1', name: 'noop', input: { q: 'x' } },
  { type: 'usage', usage: USAGE },
  { type: 'stop', reason: 'tool_use' },
];
const ANSWER_TURN: ModelEvent[] = [
  { type: 'text', text: 'done' },
  { type: 'usage', usage: USAGE },
  { type: 'stop', reason: 'end_turn' },
];

/** Zero-latency model: tool_use on the first call of a conversation, text after the tool result. */
const zeroModel: ModelProvider = {
  async *stream(request: ModelRequest) {
    yield* request.messages.length === 1 ? TOOL_TURN : ANSWER_TURN;
  },
};

const NOOP_DEFINITIONS = [{ name: 'noop', description: 'does nothing', input_schema: { type: 'object', properties: { q: { type: 'string' } } } }];

/** A registry with one tool that does nothing (a real registry caches its definitions the same way). */
const noopTools: ToolRegistry = {
  definitionsFor: async () => NOOP_DEFINITIONS,
  call: async () => ({ ok: true, output: 'ok' }),
  close: async () => {},
};

const REFERENCES: [string, number][] = [
  ['Vercel AI SDK generateText', 0.34],
  ['OpenAI Agents', 0.38],
  ['LangGraph', 2.5],
  ['Mastra', 7.7],
];

export default async function runtimeBench(): Promise<void> {
  const ir = irOf(
    prompt('p', 'You help {{customer}}.', [{ name: 'customer', type: 'string', required: false, default: 'everyone' }]),
    agent('bot', { prompt: 'p' }),
  );
  const runtime = Runtime.fromIR(ir, { providerFor: () => zeroModel, tools: noopTools });
  const once = async () => {
    const result = await runtime.invoke('bot', { message: 'hello' });
    if (result.output !== 'done' || result.tool_calls.length !== 1) throw new Error('unexpected bench result');
  };
  const inProcess = await measure(once, { iterations: 5_000, warmup: 1_000 });
  section('runtime: one invocation, zero-latency model, one tool round trip', [
    ['median', ms(inProcess.median)],
    ['p99', ms(inProcess.p99)],
    ['goal', `< 0.3 ms median: ${inProcess.median < 0.3 ? 'met' : 'NOT met'}`],
    ...REFERENCES.map(([name, value]): [string, string] => [
      `vs ${name} (${value} ms, reference figure, not measured in this run)`,
      `ratio ${(inProcess.median / value).toFixed(3)} (${(value / inProcess.median).toFixed(1)}x less overhead)`,
    ]),
  ]);
  await runtime.close();
  await throughRealProvider();
}

/** The same invocation through the Anthropic provider and the fake Messages API server (loopback HTTP + SSE). */
async function throughRealProvider(): Promise<void> {
  const rows: [string, string][] = [];
  try {
    const { startFakeAnthropic } = await import('../test/helpers/fake-anthropic/index.js');
    const { createAnthropicProvider } = await import('../shared/llm/anthropic-provider.js');
    const fake = await startFakeAnthropic();
    try {
      fake.respond((request) => ((request.body.messages as unknown[]).length === 1 ? { toolUses: [{ name: 'noop', input: { q: 'x' } }] } : { text: 'done' }));
      const provider = createAnthropicProvider({ apiKey: 'bench-key', baseURL: fake.url });
      const ir = irOf(agent('bot'));
      const runtime = Runtime.fromIR(ir, { providerFor: () => provider, tools: noopTools });
      const stats = await measure(() => runtime.invoke('bot', { message: 'hello' }), { iterations: 300, warmup: 30 });
      rows.push(['median', ms(stats.median)], ['p99', ms(stats.p99)]);
      await runtime.close();
    } finally {
      await fake.close();
    }
  } catch (error) {
    rows.push(['not measured', error instanceof Error ? error.message : String(error)]);
  }
  section('runtime: same invocation through the Anthropic provider + fake HTTP server (reference)', rows);
}
