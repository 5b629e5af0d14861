/** /v1/metrics after invocations and request logs with a request id and redaction. */
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../shared/telemetry/logger.js';
import { Telemetry } from '../../shared/telemetry/telemetry.js';
import type { AgentScript } from '../helpers/fake-runtime.js';
import { appWith, post } from './helpers.js';

const withTool: AgentScript = async function* () {
  yield { type: 'tool_call_end', data: { id: 't', name: 'search', input: {}, output: 'x', status: 'ok', duration_ms: 12 } };
  yield { type: 'text', data: { text: 'done' } };
};

describe('GET /v1/metrics', () => {
  it('exposes invocations, duration, tokens and tool calls in Prometheus text', async () => {
    // Prepare
    const telemetry = new Telemetry();
    const { app } = appWith({ agents: { a: withTool }, observer: telemetry }, { telemetry });
    // Act
    await app.request('/v1/agents/a/invoke', post({ message: 'hi' }));
    await app.request('/v1/agents/a/invoke', post({ message: 'again' }));
    const res = await app.request('/v1/metrics');
    const text = await res.text();
    // Assess
    expect(res.headers.get('content-type')).toContain('text/plain');
    expect(text).toContain('agentspec_invocations_total{agent="a",status="ok"} 2');
    expect(text).toContain('agentspec_invocation_duration_seconds_count{agent="a",status="ok"} 2');
    expect(text).toContain('agentspec_tokens_total{agent="a",type="input"} 20');
    expect(text).toContain('agentspec_tokens_total{agent="a",type="output"} 10');
    expect(text).toContain('agentspec_tool_calls_total{agent="a",tool="search",status="ok"} 2');
    expect(text).toContain('agentspec_tool_duration_seconds_count{tool="search",status="ok"} 2');
    expect(text).toContain('agentspec_http_requests_total{method="POST",route="/v1/agents/:name/invoke",status="200"} 2');
  });

  it('keeps a registry per app', async () => {
    const one = appWith();
    const two = appWith();
    await one.app.request('/v1/agents/echo/invoke', post({ message: 'hi' }));
    expect(await (await two.app.request('/v1/metrics')).text()).not.toContain('route="/v1/agents/:name/invoke"');
  });
});

describe('request logs', () => {
  it('writes one JSON line per request with the echoed request id, method, path, status and duration', async () => {
    const lines: string[] = [];
    const { app } = appWith({}, { logger: createLogger({ sink: (l) => lines.push(l) }) });
    const res = await app.request('/v1/agents/echo/invoke', post({ message: 'hi' }, { 'x-request-id': 'req-42' }));
    const generated = await app.request('/healthz');
    expect(res.headers.get('x-request-id')).toBe('req-42');
    expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(lines).toHaveLength(2);
    expect(JSON.parse(lines[0]!)).toMatchObject({
      level: 'info',
      msg: 'request',
      request_id: 'req-42',
      method: 'POST',
      path: '/v1/agents/echo/invoke',
      status: 200,
      duration_ms: expect.any(Number),
    });
  });

  it('redacts secrets from every line, including error causes', async () => {
    const lines: string[] = [];
    const secret = 'sk-super-secret-value';
    const logger = createLogger({ sink: (l) => lines.push(l), redact: (t) => t.replaceAll(secret, '[REDACTED]') });
    const { app, runtime } = appWith({}, { logger });
    runtime.stream = async function* () {
      yield* [];
      throw new Error(`connection failed with key ${secret}`);
    };
    const res = await app.request('/v1/agents/echo/invoke', post({ message: 'hi' }));
    expect(res.status).toBe(500);
    expect(lines.join('\n')).toContain('[REDACTED]');
    expect(lines.join('\n')).not.toContain(secret);
  });
});
