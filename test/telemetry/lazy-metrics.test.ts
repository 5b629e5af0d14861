import { Registry } from 'prom-client';
import { describe, expect, it, vi } from 'vitest';
import type { TelemetryEvent } from '../../shared/telemetry/events.js';
import { LAZY_METRICS_LOAD_AFTER, LazyMetrics } from '../../shared/telemetry/lazy-metrics.js';
import { createRuntimeMetrics, recordMetrics } from '../../shared/telemetry/metrics.js';

const USAGE = { input: 7, output: 3, cache_read: 0, cache_write: 2 };
const TOKENS = { ...USAGE, total: 12 };
const EVENTS: TelemetryEvent[] = [
  { type: 'invocation_start', invocation_id: 'i1', agent: 'a', start_ms: 0 },
  { type: 'model_call', invocation_id: 'i1', agent: 'a', model: 'm', status: 'ok', start_ms: 0, duration_ms: 40, usage: USAGE },
  { type: 'tool_call', invocation_id: 'i1', agent: 'a', tool: 'search', call_id: 'c1', status: 'ok', start_ms: 0, duration_ms: 12 },
  { type: 'tool_call', invocation_id: 'i1', agent: 'a', tool: 'search', call_id: 'c2', status: 'error', start_ms: 0, duration_ms: 3 },
  { type: 'invocation_end', invocation_id: 'i1', agent: 'a', status: 'ok', start_ms: 0, duration_ms: 80, tokens: TOKENS },
  { type: 'invocation_end', invocation_id: 'i2', agent: 'b', status: 'error', error_code: 'tool_error', start_ms: 0, duration_ms: 5, tokens: TOKENS },
];

/**
 * Lets a load started so far finish: a load imports metrics.js, which this
 * import awaits too, and its replay runs before the next event-loop turn. No
 * timer: what the tests wait for is the import, not a guess at its duration.
 */
async function settleLoads(): Promise<void> {
  await import('../../shared/telemetry/metrics.js');
  await new Promise((resolve) => setImmediate(resolve));
}

describe('LazyMetrics', () => {
  it('creates no metric before it is needed: events and requests are kept, not counted', async () => {
    // Prepare: the metrics are created in this registry once the library is loaded
    const registry = new Registry();
    const metrics = new LazyMetrics(registry, (error) => {
      throw error;
    });
    // Act
    for (const event of EVENTS) metrics.record(event);
    metrics.httpRequest('POST', '/v1/agents/:name/invoke', 200);
    await settleLoads();
    // Assess
    expect(registry.getMetricsAsArray()).toHaveLength(0);
  });

  it('gives, at the first scrape, the same exposition as metrics updated as the events came', async () => {
    // Prepare
    const lazy = new LazyMetrics(undefined, (error) => {
      throw error;
    });
    const eager = createRuntimeMetrics();
    // Act
    for (const event of EVENTS) {
      lazy.record(event);
      recordMetrics(eager, event);
    }
    lazy.httpRequest('POST', '/v1/agents/:name/invoke', 200);
    eager.httpRequests.inc({ method: 'POST', route: '/v1/agents/:name/invoke', status: '200' });
    const first = await lazy.exposition();
    // and after loading, updates apply at once
    lazy.httpRequest('GET', '/healthz', 200);
    eager.httpRequests.inc({ method: 'GET', route: '/healthz', status: '200' });
    const second = await lazy.exposition();
    // Assess
    expect(first.contentType).toBe(eager.registry.contentType);
    expect(first.text).toContain('agentspec_tool_calls_total{agent="a",tool="search",status="error"} 1');
    expect(second.text).toBe(await eager.registry.metrics());
  });

  it('loads the library on its own once enough updates are waiting, so a process never scraped keeps a bounded list', async () => {
    const registry = new Registry();
    const metrics = new LazyMetrics(registry, (error) => {
      throw error;
    });
    for (let i = 0; i < LAZY_METRICS_LOAD_AFTER - 1; i++) metrics.httpRequest('GET', '/healthz', 200);
    await settleLoads();
    expect(registry.getMetricsAsArray()).toHaveLength(0);
    metrics.httpRequest('GET', '/healthz', 200);
    await vi.waitFor(() => expect(registry.getSingleMetric('agentspec_http_requests_total')).toBeDefined());
    const counted = await registry.getSingleMetric('agentspec_http_requests_total')?.get();
    expect(counted?.values).toEqual([{ labels: { method: 'GET', route: '/healthz', status: '200' }, value: LAZY_METRICS_LOAD_AFTER }]);
  });
});
