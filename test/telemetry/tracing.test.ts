/** OpenTelemetry spans from runtime events, exported over OTLP/HTTP to a real local receiver. */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Telemetry } from '../../shared/telemetry/telemetry.js';

interface OtlpSpan {
  name: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  startTimeUnixNano: string | number;
  endTimeUnixNano: string | number;
  status?: { code?: number };
}

describe('OTLP export', () => {
  let server: Server;
  let endpoint: string;
  const received: { path: string; type: string | undefined; body: { resourceSpans: { scopeSpans: { spans: OtlpSpan[] }[] }[] } }[] = [];

  beforeAll(async () => {
    server = createServer(async (req: IncomingMessage, res) => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      received.push({ path: req.url ?? '', type: req.headers['content-type'], body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('exports invocation → model call → tool call spans with explicit times and the invocation as parent', async () => {
    // Prepare
    const telemetry = new Telemetry({ otlpEndpoint: endpoint });
    const t0 = 1_700_000_000_000;
    const tokens = { input: 5, output: 7, cache_read: 0, cache_write: 0, total: 12 };
    // Act: recorded at once, before the lazily imported OpenTelemetry SDK has loaded, so they replay from the queue
    expect(telemetry.tracing).toBe(true);
    telemetry.record({ type: 'invocation_start', invocation_id: 'inv', agent: 'bot', start_ms: t0 });
    telemetry.record({
      type: 'model_call',
      invocation_id: 'inv',
      agent: 'bot',
      model: 'claude-x',
      status: 'ok',
      start_ms: t0 + 1,
      duration_ms: 10,
      usage: { input: 5, output: 7, cache_read: 0, cache_write: 0 },
    });
    telemetry.record({
      type: 'tool_call',
      invocation_id: 'inv',
      agent: 'bot',
      tool: 'search',
      call_id: 'c1',
      status: 'error',
      start_ms: t0 + 12,
      duration_ms: 3,
    });
    telemetry.record({ type: 'invocation_start', invocation_id: 'child', agent: 'helper', start_ms: t0 + 16, parent_invocation_id: 'inv' });
    telemetry.record({ type: 'invocation_end', invocation_id: 'child', agent: 'helper', status: 'ok', start_ms: t0 + 16, duration_ms: 2, tokens });
    telemetry.record({ type: 'invocation_end', invocation_id: 'inv', agent: 'bot', status: 'ok', start_ms: t0, duration_ms: 20, tokens });
    await telemetry.shutdown();
    // Assess
    expect(received.length).toBeGreaterThan(0);
    expect(received[0]!.path).toBe('/v1/traces');
    expect(received[0]!.type).toContain('application/json');
    const spans = received.flatMap((r) => r.body.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((s) => s.spans)));
    const byName = new Map(spans.map((s) => [s.name, s]));
    const root = byName.get('invoke_agent bot')!;
    expect(root.parentSpanId ?? '').toBe('');
    for (const name of ['chat claude-x', 'tool search', 'invoke_agent helper']) {
      expect(byName.get(name)!.parentSpanId, name).toBe(root.spanId);
      expect(byName.get(name)!.traceId).toBe(root.traceId);
    }
    expect(BigInt(byName.get('chat claude-x')!.startTimeUnixNano)).toBe(BigInt(t0 + 1) * 1_000_000n);
    expect(BigInt(byName.get('chat claude-x')!.endTimeUnixNano)).toBe(BigInt(t0 + 11) * 1_000_000n);
    expect(BigInt(root.endTimeUnixNano)).toBe(BigInt(t0 + 20) * 1_000_000n);
    expect(byName.get('tool search')!.status?.code).toBe(2);
  });

  it('traces only when OTEL_EXPORTER_OTLP_ENDPOINT (or the option) is set', async () => {
    vi.stubEnv('OTEL_EXPORTER_OTLP_ENDPOINT', '');
    expect(new Telemetry().tracing).toBe(false);
    vi.stubEnv('OTEL_EXPORTER_OTLP_ENDPOINT', endpoint);
    const fromEnv = new Telemetry();
    expect(fromEnv.tracing).toBe(true);
    await fromEnv.shutdown();
    vi.unstubAllEnvs();
  });
});
