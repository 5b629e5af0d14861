/**
 * The typed client against a real server over HTTP (the runtime composed from
 * a package, a scripted model): every method, streamed events in order, API
 * errors as `AgentSpecApiError` with the API's code, the API key sent, and a
 * stream stopped early cancelling the run on the server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentSpecApiError, AgentSpecClient, type StreamEvent } from '../../shared/client/index.js';
import { composeService, type Service } from '../../shared/compose/compose-service.js';
import { compile } from '../../shared/lang/index.js';
import { SILENT_LOGGER } from '../../shared/telemetry/logger.js';
import { startServer, type RunningServer } from '../../local/server.js';
import { SHOUT_AGENT } from '../helpers/shout-agent.js';
import { scriptedProvider, type ScriptedProvider } from '../helpers/scripted-provider.js';

const KEY = 'client-test-key';
const PACKAGE = `package "client" version "2.0.0" lang "2.0"

${SHOUT_AGENT}
pipeline "once" {
  step "only" {
    agent "helper"
    input "{{trigger.text}}"
  }
}
`;

let service: Service;
let server: RunningServer;
let client: AgentSpecClient;
let model: ScriptedProvider;

beforeAll(async () => {
  const { ir } = compile(PACKAGE, { file: 'client.ias' });
  const provider = scriptedProvider().otherwise((request) => {
    const said = JSON.stringify(request.messages);
    if (said.includes('go slowly')) return { text: 'a long answer', hang: true };
    if (said.includes('tool_result')) return { text: 'Done.' };
    return said.includes('shout') ? { toolUses: [{ name: 'shout', input: { text: 'hi' } }] } : { text: `echo ${said.length}` };
  });
  model = provider;
  service = await composeService({ ir: ir! }, { providerFor: () => provider });
  server = await startServer({ runtime: () => service.runtime, port: 0, apiKeys: [KEY], logger: SILENT_LOGGER, notice: () => {} });
  client = new AgentSpecClient({ baseUrl: `${server.url}/`, apiKey: KEY });
});

afterAll(async () => {
  await server?.close();
});

describe('AgentSpecClient', () => {
  it('reads health, agents and pipelines', async () => {
    const health = await client.health();
    expect(health).toMatchObject({ status: 'ok', agents: 1, package: { name: 'client', version: '2.0.0' } });
    expect((await client.agents()).map((a) => a.name)).toEqual(['helper']);
    expect(await client.pipelines()).toEqual([{ name: 'once', steps: ['only'] }]);
  });

  it('invokes an agent and returns the typed result', async () => {
    const result = await client.invoke('helper', { message: 'shout hi' });
    expect(result.output).toBe('Done.');
    // the command tool reads the JSON input on stdin; `tr` upper-cases all of it
    expect(result.tool_calls.map((c) => [c.name, c.status, c.output])).toEqual([['shout', 'ok', { TEXT: 'HI' }]]);
    expect(result.tokens.total).toBeGreaterThan(0);
  });

  it('streams the events in order, ending with done', async () => {
    const events: StreamEvent[] = [];
    for await (const event of client.stream('helper', { message: 'shout hi' })) events.push(event);
    expect(events.map((e) => e.type)).toEqual(['tool_call_start', 'tool_call_end', 'text', 'done']);
    const done = events.at(-1)!;
    expect(done.type === 'done' && done.data.output).toBe('Done.');
  });

  it('keeps a conversation in a session and deletes it', async () => {
    const { session_id } = await client.createSession('helper');
    await client.sendMessage('helper', session_id, { message: 'hello' });
    const session = await client.session('helper', session_id);
    expect(session.messages.map((m) => m.role)).toEqual(['user', 'assistant']);
    await client.deleteSession('helper', session_id);
    await expect(client.session('helper', session_id)).rejects.toMatchObject({ status: 404, code: 'not_found' });
  });

  it('runs a pipeline', async () => {
    const result = await client.runPipeline('once', { trigger: { text: 'shout hi' } });
    expect(result).toMatchObject({ pipeline: 'once', status: 'succeeded', steps: [{ name: 'only', status: 'succeeded', output: 'Done.' }] });
  });

  it('throws the API error with its code, status, details and request id', async () => {
    const unknown = await client.invoke('nobody', { message: 'hi' }).catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(AgentSpecApiError);
    expect(unknown).toMatchObject({ status: 404, code: 'not_found', requestId: expect.any(String) });
    const invalid = await client.invoke('helper', { message: '' }).catch((e: unknown) => e);
    expect(invalid).toMatchObject({ status: 400, code: 'invalid_request', details: { issues: [expect.objectContaining({ path: 'message' })] } });
    const stream = client.stream('nobody', { message: 'hi' });
    await expect(stream.next()).rejects.toMatchObject({ status: 404, code: 'not_found' });
  });

  it('sends its API key; without it the server answers unauthorized', async () => {
    const anonymous = new AgentSpecClient({ baseUrl: server.url });
    await expect(anonymous.agents()).rejects.toMatchObject({ status: 401, code: 'unauthorized' });
    await expect(anonymous.health()).resolves.toMatchObject({ status: 'ok' });
  });

  it('cancels the run on the server when the caller stops reading', async () => {
    for await (const event of client.stream('helper', { message: 'go slowly' })) {
      expect(event).toEqual({ type: 'text', data: { text: 'a long answer' } });
      break;
    }
    const call = model.requests.findIndex((r) => JSON.stringify(r.messages).includes('go slowly'));
    await expect.poll(() => model.signals[call]?.aborted, { timeout: 5000 }).toBe(true);
  });
});
