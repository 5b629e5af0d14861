import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IRAgent } from '../../shared/ir/types.js';
import { MODEL_KEY_VARIABLES, ollamaBaseURL } from '../../shared/llm/provider-env.js';
import { createProviderFor } from '../../shared/llm/providers.js';
import { Runtime } from '../../shared/loop/runtime.js';
import type { RunEvent } from '../../shared/loop/types.js';
import { startFakeAnthropic, type FakeAnthropic } from '../helpers/fake-anthropic/index.js';
import { startFakeOpenAI, type FakeOpenAI } from '../helpers/fake-openai/index.js';
import { agent, irOf } from '../helpers/ir-builder.js';
import { testTools } from '../helpers/test-tools.js';

describe('createProviderFor', () => {
  it('returns one provider per supported name, the same at each call', () => {
    const providers = (['anthropic', 'openai', 'ollama'] as const).map((name) => createProviderFor(name));
    expect(new Set(providers).size).toBe(3);
    expect(createProviderFor('openai')).toBe(providers[1]);
  });

  it('refuses any other provider with config_error naming it and the supported ones', () => {
    expect(() => createProviderFor('bedrock')).toThrow(
      expect.objectContaining({
        code: 'config_error',
        message: expect.stringContaining('"bedrock"'),
        details: { provider: 'bedrock', supported: ['anthropic', 'openai', 'ollama'] },
      }),
    );
  });
});

describe('provider environment', () => {
  it('lists the key variables the redactor and deploy targets must know', () => {
    expect(MODEL_KEY_VARIABLES).toEqual(['ANTHROPIC_API_KEY', 'OPENAI_API_KEY']);
  });

  it.each([
    [undefined, 'http://localhost:11434/v1'],
    ['', 'http://localhost:11434/v1'],
    ['http://gpu-box:11434/', 'http://gpu-box:11434/v1'],
    ['gpu-box:11434', 'http://gpu-box:11434/v1'],
    ['https://ollama.example.com', 'https://ollama.example.com/v1'],
  ])('OLLAMA_HOST %o → %s', (host, expected) => {
    expect(ollamaBaseURL(host)).toBe(expected);
  });
});

/**
 * One agent with a tool, run through the runtime with its default provider
 * selection (no `providerFor`), each fake reached through the environment
 * variables the providers read: a tool call (arguments in fragments), the
 * tool's result sent back, then a text answer.
 */
describe('an agent with a tool on each provider, through the runtime', () => {
  let openai: FakeOpenAI;
  let ollama: FakeOpenAI;
  let anthropic: FakeAnthropic;
  const saved: Record<string, string | undefined> = {};
  const ENV = ['OPENAI_API_KEY', 'OPENAI_BASE_URL', 'OLLAMA_HOST', 'ANTHROPIC_API_KEY', 'ANTHROPIC_BASE_URL'];

  beforeAll(async () => {
    [openai, ollama, anthropic] = await Promise.all([startFakeOpenAI(), startFakeOpenAI({ requireKey: false }), startFakeAnthropic()]);
    for (const name of ENV) saved[name] = process.env[name];
    process.env.OPENAI_API_KEY = 'test-openai-key';
    process.env.OPENAI_BASE_URL = openai.baseURL;
    process.env.OLLAMA_HOST = ollama.url;
    process.env.ANTHROPIC_API_KEY = 'test-anthropic-key';
    process.env.ANTHROPIC_BASE_URL = anthropic.url;
  });
  afterAll(async () => {
    for (const name of ENV) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
    await Promise.all([openai.close(), ollama.close(), anthropic.close()]);
  });

  const weatherAgent = (model: string, provider: string): IRAgent => agent('forecaster', { model, provider, skills: ['weather'] });

  async function run(model: string, provider: string): Promise<RunEvent[]> {
    const tools = testTools({ name: 'weather', handler: (input) => ({ city: (input as { city: string }).city, sky: 'clear' }) });
    const runtime = Runtime.fromIR(irOf(weatherAgent(model, provider)), { tools });
    const events: RunEvent[] = [];
    for await (const event of runtime.stream('forecaster', { message: 'Weather in Zürich?' })) events.push(event);
    await runtime.close();
    return events.map(withoutTimings);
  }

  function scriptChat(fake: FakeOpenAI): void {
    fake.script(
      {
        text: 'Checking.',
        toolCalls: [{ id: 'call_1', name: 'weather', fragments: ['{"ci', 'ty":"Zür', 'ich"}'] }],
        usage: { prompt_tokens: 20, completion_tokens: 8 },
      },
      { text: ['Clear ', 'skies.'], usage: { prompt_tokens: 40, completion_tokens: 4 } },
    );
  }

  it('openai/gpt-4o-mini produces the same events as the Claude agent, and OpenAI gets the model id, the tool and its result', async () => {
    // Prepare
    scriptChat(openai);
    anthropic.script(
      { text: 'Checking.', toolUses: [{ id: 'call_1', name: 'weather', input: { city: 'Zürich' } }], usage: { input_tokens: 20, output_tokens: 8 } },
      { text: ['Clear ', 'skies.'], usage: { input_tokens: 40, output_tokens: 4 } },
    );
    // Act
    const viaOpenAI = await run('openai/gpt-4o-mini', 'openai');
    const viaClaude = await run('claude-haiku-4-5', 'anthropic');
    // Assess
    expect(viaOpenAI).toEqual(viaClaude);
    expect(viaOpenAI.at(-1)).toMatchObject({ type: 'done', data: { output: 'Clear skies.', turns: 2, tokens: { input: 60, output: 12, total: 72 } } });
    expect(viaOpenAI.filter((e) => e.type === 'tool_call_end')).toEqual([
      {
        type: 'tool_call_end',
        data: { id: 'call_1', name: 'weather', input: { city: 'Zürich' }, output: { city: 'Zürich', sky: 'clear' }, status: 'ok', duration_ms: 0 },
      },
    ]);
    const [first, second] = openai.requests;
    expect(first?.apiKey).toBe('test-openai-key');
    expect(first?.body.model).toBe('gpt-4o-mini');
    expect(first?.body.tools).toEqual([{ type: 'function', function: { name: 'weather', description: 'the weather tool', parameters: { type: 'object' } } }]);
    expect((second?.body.messages as unknown[]).slice(-2)).toEqual([
      {
        role: 'assistant',
        content: 'Checking.',
        tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'weather', arguments: '{"city":"Zürich"}' } }],
      },
      { role: 'tool', tool_call_id: 'call_1', content: expect.stringContaining('clear') },
    ]);
  });

  it('ollama/llama3.1 runs the same way against OLLAMA_HOST, without a key', async () => {
    scriptChat(ollama);
    const viaOllama = await run('ollama/llama3.1', 'ollama');
    expect(viaOllama.filter((e) => e.type !== 'text').map((e) => e.type)).toEqual(['tool_call_start', 'tool_call_end', 'done']);
    expect(viaOllama.at(-1)).toMatchObject({
      type: 'done',
      data: { output: 'Clear skies.', turns: 2, tool_calls: [{ name: 'weather', input: { city: 'Zürich' }, status: 'ok' }] },
    });
    expect(ollama.requests.map((r) => [r.path, r.body.model, r.apiKey])).toEqual([
      ['/v1/chat/completions', 'llama3.1', 'ollama'],
      ['/v1/chat/completions', 'llama3.1', 'ollama'],
    ]);
  });

  it('sends a bare id no name rule claims to Ollama when OLLAMA_HOST is set', async () => {
    ollama.requests.length = 0;
    ollama.script({ text: 'local answer' });
    const events = await run('llama3.1', 'anthropic');
    expect(events.at(-1)).toMatchObject({ type: 'done', data: { output: 'local answer' } });
    expect(ollama.requests.map((r) => r.body.model)).toEqual(['llama3.1']);
  });

  it('ends an openai run with unavailable naming OPENAI_API_KEY when the key is missing', async () => {
    const requestsBefore = openai.requests.length;
    delete process.env.OPENAI_API_KEY;
    try {
      const events = await run('openai/gpt-4o-mini', 'openai');
      expect(events.at(-1)).toMatchObject({ type: 'error', data: { error: 'unavailable', message: expect.stringContaining('OPENAI_API_KEY') } });
      expect(openai.requests).toHaveLength(requestsBefore);
    } finally {
      process.env.OPENAI_API_KEY = 'test-openai-key';
    }
  });
});

/** Run events with their timings zeroed, so runs on two providers compare. */
function withoutTimings(event: RunEvent): RunEvent {
  if (event.type === 'tool_call_end') return { ...event, data: { ...event.data, duration_ms: 0 } };
  if (event.type === 'done')
    return { ...event, data: { ...event.data, duration_ms: 0, tool_calls: event.data.tool_calls.map((c) => ({ ...c, duration_ms: 0 })) } };
  return event;
}
