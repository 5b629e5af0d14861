/** Contract tests of every route and every error code of the HTTP API (docs/http-api.md), over a fake runtime. */
import { describe, expect, it } from 'vitest';
import { AgentSpecError, ErrorCode } from '../../shared/errors.js';
import { failingScript, pipelineOf, slowScript } from '../helpers/fake-runtime.js';
import { appWith, post } from './helpers.js';

describe('GET /healthz', () => {
  it("reports status, uptime, agent count, the runtime's version and the package's name, version and IR hash", async () => {
    const { app } = appWith({}, { version: '9.9.9' });
    const res = await app.request('/healthz');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      status: 'ok',
      uptime_s: expect.any(Number),
      agents: 1,
      version: '9.9.9',
      package: { name: 'test', version: '1.0.0' },
      ir_hash: 'test',
    });
  });
});

describe('GET /v1/agents', () => {
  it('lists agents with model, strategy, skills, prompt variables and counters', async () => {
    const { app } = appWith();
    const body = (await (await app.request('/v1/agents')).json()) as { agents: unknown[] };
    expect(body.agents).toEqual([
      { name: 'echo', model: 'claude-test', strategy: 'react', skills: [], variables: [], counters: { invocations: 0, errors: 0, tokens: 0 } },
    ]);
  });
});

describe('POST /v1/agents/{name}/invoke', () => {
  it('answers the invoke result and passes variables and session id to the runtime', async () => {
    // Prepare
    const { app, runtime } = appWith();
    const session = await runtime.sessions.create('echo');
    // Act
    const res = await app.request('/v1/agents/echo/invoke', post({ message: 'hi', variables: { tone: 'dry', n: 2 }, session_id: session.id }));
    // Assess
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      output: 'echo: hi',
      tool_calls: [],
      tokens: { input: 10, output: 5, cache_read: 0, cache_write: 0, total: 15 },
      turns: 1,
      duration_ms: expect.any(Number),
      session_id: session.id,
    });
    expect(runtime.calls[0]!.request).toMatchObject({ message: 'hi', variables: { tone: 'dry', n: 2 }, sessionId: session.id });
  });

  it('rejects an invalid body with invalid_request and one detail per issue', async () => {
    const { app, runtime } = appWith();
    const res = await app.request('/v1/agents/echo/invoke', post({ message: '', variables: { x: { nested: true } }, extra: 1 }));
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: string; details: { issues: { path: string }[] } };
    expect(body.error).toBe('invalid_request');
    expect(body.details.issues.map((i) => i.path).sort()).toEqual(['', 'message', 'variables.x']);
    // each names the JSON Schema keyword it breaks, and says why in a sentence
    const byPath = Object.fromEntries((body.details.issues as { path: string; code: string; message: string }[]).map((i) => [i.path, i]));
    expect(byPath['']).toEqual({ path: '', code: 'additionalProperties', message: 'property "extra" is not allowed' });
    expect(byPath.message).toMatchObject({ code: 'minLength' });
    expect(byPath['variables.x']).toMatchObject({ code: 'type', message: expect.stringContaining('"object" is invalid') });
    expect(runtime.calls).toHaveLength(0);
  });

  it('rejects a body that is not JSON', async () => {
    const { app } = appWith();
    const res = await app.request('/v1/agents/echo/invoke', post('{"message": '));
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'invalid_request', message: 'The request body is not valid JSON.', details: {} });
  });

  it('answers not_found for an unknown agent, naming the available ones', async () => {
    const { app } = appWith();
    const res = await app.request('/v1/agents/nobody/invoke', post({ message: 'hi' }));
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: 'not_found', message: 'No agent named "nobody".', details: { agent: 'nobody', available: ['echo'] } });
  });

  it('answers payload_too_large above the body limit, declared or streamed', async () => {
    const { app } = appWith({}, { bodyLimitBytes: 100 });
    const big = JSON.stringify({ message: 'x'.repeat(200) });
    const declared = await app.request('/v1/agents/echo/invoke', post(big));
    const chunked = await app.request('/v1/agents/echo/invoke', {
      method: 'POST',
      body: new ReadableStream({ start: (c) => (c.enqueue(new TextEncoder().encode(big)), c.close()) }),
      duplex: 'half',
    });
    for (const res of [declared, chunked]) {
      expect(res.status).toBe(413);
      expect(await res.json()).toEqual({ error: 'payload_too_large', message: 'The request body exceeds 100 bytes.', details: { limit_bytes: 100 } });
    }
  });

  it('defaults the body limit to 1 MiB', async () => {
    const { app } = appWith();
    const under = await app.request('/v1/agents/echo/invoke', post({ message: 'x'.repeat(1000 * 1000) }));
    const over = await app.request('/v1/agents/echo/invoke', post({ message: 'x'.repeat(1024 * 1024) }));
    expect(under.status).toBe(200);
    expect(over.status).toBe(413);
  });

  it.each([
    [ErrorCode.BudgetExceeded, 422],
    [ErrorCode.UpstreamError, 502],
    [ErrorCode.Unavailable, 503],
    [ErrorCode.Timeout, 408],
  ])('maps a runtime %s error to HTTP %i in the contract shape', async (code, status) => {
    const { app } = appWith({ agents: { bad: failingScript(new AgentSpecError(code, `it failed with ${code}`, { details: { why: code } })) } });
    const res = await app.request('/v1/agents/bad/invoke', post({ message: 'hi' }));
    expect(res.status).toBe(status);
    expect(await res.json()).toEqual({ error: code, message: `it failed with ${code}`, details: { why: code } });
  });

  it('answers internal_error without internals for an unexpected exception', async () => {
    const { app, runtime } = appWith();
    runtime.stream = async function* () {
      yield* [];
      throw new TypeError('secret-internal-detail at foo.ts:12');
    };
    const res = await app.request('/v1/agents/echo/invoke', post({ message: 'hi' }));
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(JSON.parse(text)).toEqual({ error: 'internal_error', message: 'An internal error occurred.', details: {} });
    expect(text).not.toContain('secret-internal-detail');
  });

  it('ends a run that outlives requestTimeoutMs with timeout 408 and aborts it', async () => {
    const { app, runtime } = appWith({ agents: { slow: slowScript(10_000) } }, { requestTimeoutMs: 50 });
    const res = await app.request('/v1/agents/slow/invoke', post({ message: 'hi' }));
    expect(res.status).toBe(408);
    expect(await res.json()).toEqual({ error: 'timeout', message: 'The request did not finish within 50 ms.', details: { timeout_ms: 50 } });
    expect(runtime.calls[0]!.aborted).toBe(true);
  });
});

describe('unknown routes', () => {
  it('answer 404 in the error shape', async () => {
    const { app } = appWith();
    const res = await app.request('/v2/nothing', { method: 'PUT' });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: 'not_found', message: 'No route PUT /v2/nothing.', details: { method: 'PUT', path: '/v2/nothing' } });
  });
});

describe('sessions', () => {
  it('creates (201), continues, reads and deletes (204) a session', async () => {
    const { app } = appWith();
    const created = await app.request('/v1/agents/echo/sessions', { method: 'POST' });
    expect(created.status).toBe(201);
    const { session_id, agent, created_at } = (await created.json()) as { session_id: string; agent: string; created_at: string };
    expect(agent).toBe('echo');
    expect(Number.isNaN(Date.parse(created_at))).toBe(false);

    const said = await app.request(`/v1/agents/echo/sessions/${session_id}`, post({ message: 'first' }));
    expect(said.status).toBe(200);
    expect(await said.json()).toMatchObject({ output: 'echo: first', session_id });

    const read = await app.request(`/v1/agents/echo/sessions/${session_id}`);
    expect(await read.json()).toEqual({
      session_id,
      agent: 'echo',
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'first' }] },
        { role: 'assistant', content: [{ type: 'text', text: 'echo: first' }] },
      ],
    });

    const deleted = await app.request(`/v1/agents/echo/sessions/${session_id}`, { method: 'DELETE' });
    expect(deleted.status).toBe(204);
    expect(await deleted.text()).toBe('');
    const again = await app.request(`/v1/agents/echo/sessions/${session_id}`, { method: 'DELETE' });
    expect(again.status).toBe(404);
  });

  it.each([
    ['POST', post({ message: 'hi' })],
    ['GET', {}],
    ['DELETE', { method: 'DELETE' }],
  ])('answers not_found for an unknown session (%s)', async (_method, init) => {
    const { app } = appWith();
    const res = await app.request('/v1/agents/echo/sessions/missing', init);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: 'not_found', details: { agent: 'echo', session_id: 'missing' } });
  });

  it('validates the create body', async () => {
    const { app } = appWith();
    const res = await app.request('/v1/agents/echo/sessions', post({ ttl_seconds: -5 }));
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'invalid_request', details: { issues: [{ path: 'ttl_seconds' }] } });
  });
});

describe('pipelines', () => {
  const pipelines = [
    pipelineOf('two', [
      { name: 'a', agent: 'echo', input: '{{trigger.topic}}' },
      { name: 'b', agent: 'echo', input: '{{steps.a.output}}!' },
    ]),
  ];

  it('lists pipelines with their steps', async () => {
    const { app } = appWith({ pipelines });
    expect(await (await app.request('/v1/pipelines')).json()).toEqual({ pipelines: [{ name: 'two', steps: ['a', 'b'] }] });
  });

  it('runs a pipeline and answers per-step outputs, statuses, durations and tokens', async () => {
    const { app } = appWith({ pipelines });
    const res = await app.request('/v1/pipelines/two/run', post({ trigger: { topic: 'tea' } }));
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      status: string;
      steps: { name: string; status: string; output: string; tokens: { total: number } }[];
      tokens: { total: number };
    };
    expect(body.status).toBe('succeeded');
    expect(body.steps.map((s) => [s.name, s.status, s.output])).toEqual([
      ['a', 'succeeded', 'echo: tea'],
      ['b', 'succeeded', 'echo: echo: tea!'],
    ]);
    expect(body.tokens.total).toBe(30);
  });

  it('runs a pipeline from an empty body: the trigger defaults to {}', async () => {
    // a step without `input` is given the trigger as JSON
    const { app } = appWith({ pipelines: [pipelineOf('whole', [{ name: 'a', agent: 'echo' }])] });
    const res = await app.request('/v1/pipelines/whole/run', { method: 'POST' });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { steps: { output: string }[] }).steps[0]!.output).toBe('echo: {}');
  });

  it('answers not_found for an unknown pipeline and invalid_request for a bad trigger', async () => {
    const { app } = appWith({ pipelines });
    const missing = await app.request('/v1/pipelines/nope/run', post({ trigger: {} }));
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: 'not_found', details: { pipeline: 'nope', available: ['two'] } });
    const bad = await app.request('/v1/pipelines/two/run', post({ trigger: 'tea' }));
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: 'invalid_request', details: { issues: [{ path: 'trigger' }] } });
  });
});

describe('playground hook', () => {
  it('serves the given HTML at GET / without an API key', async () => {
    const { app } = appWith({}, { playgroundHtml: '<h1>play</h1>', apiKeys: ['k1'] });
    const res = await app.request('/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(await res.text()).toBe('<h1>play</h1>');
  });

  it('is absent without the option', async () => {
    const { app } = appWith();
    expect((await app.request('/')).status).toBe(404);
  });
});
