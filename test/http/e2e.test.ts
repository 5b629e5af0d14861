/**
 * End to end through the real parts: a compiled package, the composed
 * Runtime, the Anthropic provider against the fake Messages API server, and
 * the app on a real loopback socket.
 */
import { request, type IncomingMessage } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../local/server.js';
import { composeRuntime } from '../../shared/compose/compose-runtime.js';
import { compile } from '../../shared/lang/index.js';
import { createAnthropicProvider } from '../../shared/llm/anthropic-provider.js';
import type { AgentRuntime } from '../../shared/loop/types.js';
import { SILENT_LOGGER } from '../../shared/telemetry/logger.js';
import { Telemetry } from '../../shared/telemetry/telemetry.js';
import { startFakeAnthropic, type FakeAnthropic } from '../helpers/fake-anthropic/index.js';
import { readEvents } from './helpers.js';

const SOURCE = `package "e2e" version "1.0.0" lang "2.0"
skill "shout" {
  description "Repeat the given text"
  input {
    text string required
  }
  tool command {
    binary "cat"
    timeout "5s"
  }
}
agent "helper" {
  uses skill "shout"
  model "claude-haiku-4-5"
  max_turns 4
}
`;

describe('HTTP API over the real runtime and the fake Anthropic server', () => {
  let fake: FakeAnthropic;
  let runtime: AgentRuntime;
  let server: RunningServer;
  const telemetry = new Telemetry();

  beforeAll(async () => {
    fake = await startFakeAnthropic();
    const { ir, diagnostics } = compile(SOURCE, { file: 'e2e.ias' });
    if (!ir) throw new Error(JSON.stringify(diagnostics));
    const provider = createAnthropicProvider({ baseURL: fake.url, apiKey: 'test-key' });
    runtime = await composeRuntime(ir, { providerFor: () => provider, observer: telemetry });
    server = await startServer({ runtime: () => runtime, port: 0, apiKeys: false, telemetry, logger: SILENT_LOGGER, notice: () => {} });
  });
  afterAll(async () => {
    await server.close();
    await fake.close();
  });
  afterEach(() => {
    fake.respond(() => ({ status: 400, error: { type: 'invalid_request_error', message: 'unscripted' } }));
  });

  it('streams tool_call_start, tool_call_end, text and done for a run with a tool call', async () => {
    // Prepare
    fake.script({ toolUses: [{ name: 'shout', input: { text: 'hi' } }] }, { text: 'All done.', usage: { input_tokens: 12, output_tokens: 3 } });
    // Act
    const res = await fetch(`${server.url}/v1/agents/helper/stream`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ message: 'shout hi' }),
    });
    const events = await readEvents(res);
    // Assess
    const kinds = events.map((e) => e.event).filter((kind, i, all) => kind !== 'text' || all[i - 1] !== 'text');
    expect(kinds).toEqual(['run', 'tool_call_start', 'tool_call_end', 'text', 'done']);
    expect(events.map((e) => Number(e.id))).toEqual(events.map((_, i) => i + 1));
    const text = events
      .filter((e) => e.event === 'text')
      .map((e) => JSON.parse(e.data).text)
      .join('');
    expect(text).toBe('All done.');
    expect(JSON.parse(events[1]!.data)).toMatchObject({ name: 'shout', input: { text: 'hi' } });
    expect(JSON.parse(events[2]!.data)).toMatchObject({ name: 'shout', status: expect.stringMatching(/^(ok|error)$/) });
    const done = JSON.parse(events.at(-1)!.data);
    expect(done).toMatchObject({ output: 'All done.', turns: 2, tool_calls: [{ name: 'shout' }] });
  });

  it('answers /invoke and counts the invocation in /v1/metrics', async () => {
    fake.script({ text: 'Hello.', usage: { input_tokens: 7, output_tokens: 2 } });
    const res = await fetch(`${server.url}/v1/agents/helper/invoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ message: 'hi' }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ output: 'Hello.', turns: 1, tokens: { input: 7, output: 2 } });
    const metrics = await (await fetch(`${server.url}/v1/metrics`)).text();
    expect(metrics).toMatch(/agentspec_invocations_total\{agent="helper",status="ok"\} [1-9]/);
    expect(metrics).toMatch(/agentspec_tokens_total\{agent="helper",type="input"\} [1-9]/);
  });

  it('cancels the model request when the SSE client disconnects (the fake server sees the connection close)', async () => {
    // Prepare: a reply that streams slowly enough to hang up in the middle.
    fake.script({ text: 'word '.repeat(200), chunkDelayMs: 20 });
    const abortsBefore = fake.aborted;
    const aborted = fake.nextAbort();
    // Act
    const req = request(`${server.url}/v1/agents/helper/stream`, { method: 'POST', headers: { 'content-type': 'application/json' } });
    req.on('error', () => {});
    req.end(JSON.stringify({ message: 'talk' }));
    const res = await new Promise<IncomingMessage>((resolve) => req.on('response', resolve));
    await new Promise((resolve) => res.once('data', resolve));
    req.destroy();
    // Assess
    await aborted;
    expect(fake.aborted).toBe(abortsBefore + 1);
  });

  it('maps an upstream model failure to upstream_error 502', async () => {
    fake.script({ status: 400, error: { type: 'invalid_request_error', message: 'bad request upstream' } });
    const res = await fetch(`${server.url}/v1/agents/helper/invoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ message: 'hi' }),
    });
    const body = (await res.json()) as { error: string; message: string };
    expect(res.status).toBe(502);
    expect(body).toMatchObject({ error: 'upstream_error', message: 'The Anthropic API answered 400 invalid_request_error: bad request upstream' });
  });
});
