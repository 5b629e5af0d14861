/**
 * Prometheus metrics of the runtime, kept in a per-app `Registry` (never the
 * process-global one), so that several apps in one process (tests, a dev
 * server that reloads) never share or double-register metrics.
 */
import { Counter, Histogram, Registry } from 'prom-client';
import type { TelemetryEvent } from './events.js';

/** Buckets in seconds: model-bound work spans milliseconds to minutes. */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

export interface RuntimeMetrics {
  readonly registry: Registry;
  readonly invocations: Counter<'agent' | 'status'>;
  readonly invocationDuration: Histogram<'agent' | 'status'>;
  readonly tokens: Counter<'agent' | 'type'>;
  readonly toolCalls: Counter<'agent' | 'tool' | 'status'>;
  readonly toolDuration: Histogram<'tool' | 'status'>;
  readonly httpRequests: Counter<'method' | 'route' | 'status'>;
  readonly validationViolations: Counter<'agent' | 'rule' | 'severity'>;
  readonly guardrailFirings: Counter<'agent' | 'guardrail' | 'mode' | 'side'>;
  readonly modelFallbacks: Counter<'agent' | 'from' | 'to'>;
}

/** Creates the runtime's metrics in `registry` (a new one by default). */
export function createRuntimeMetrics(registry: Registry = new Registry()): RuntimeMetrics {
  const registers = [registry];
  return {
    registry,
    invocations: new Counter({
      name: 'agentspec_invocations_total',
      help: 'Agent invocations by agent and final status.',
      labelNames: ['agent', 'status'],
      registers,
    }),
    invocationDuration: new Histogram({
      name: 'agentspec_invocation_duration_seconds',
      help: 'Wall-clock duration of agent invocations.',
      labelNames: ['agent', 'status'],
      buckets: DURATION_BUCKETS,
      registers,
    }),
    tokens: new Counter({
      name: 'agentspec_tokens_total',
      help: 'Model tokens by agent and type (input, output, cache_read, cache_write).',
      labelNames: ['agent', 'type'],
      registers,
    }),
    toolCalls: new Counter({
      name: 'agentspec_tool_calls_total',
      help: 'Tool calls by agent, tool and status.',
      labelNames: ['agent', 'tool', 'status'],
      registers,
    }),
    toolDuration: new Histogram({
      name: 'agentspec_tool_duration_seconds',
      help: 'Duration of tool calls.',
      labelNames: ['tool', 'status'],
      buckets: DURATION_BUCKETS,
      registers,
    }),
    httpRequests: new Counter({
      name: 'agentspec_http_requests_total',
      help: 'HTTP requests by method, route pattern and status code.',
      labelNames: ['method', 'route', 'status'],
      registers,
    }),
    validationViolations: new Counter({
      name: 'agentspec_validation_violations_total',
      help: 'Answers that broke a validate rule, by agent, rule and severity (error: regenerated or failed; warning: reported).',
      labelNames: ['agent', 'rule', 'severity'],
      registers,
    }),
    guardrailFirings: new Counter({
      name: 'agentspec_guardrail_firings_total',
      help: "Guardrail firings by agent, guardrail, mode (block: the answer was replaced) and side (the user's message or the answer).",
      labelNames: ['agent', 'guardrail', 'mode', 'side'],
      registers,
    }),
    modelFallbacks: new Counter({
      name: 'agentspec_model_fallbacks_total',
      help: "Model calls that went to the next model of the agent's chain, by agent and the models involved.",
      labelNames: ['agent', 'from', 'to'],
      registers,
    }),
  };
}

/** Folds one runtime event into the metrics. */
export function recordMetrics(metrics: RuntimeMetrics, event: TelemetryEvent): void {
  switch (event.type) {
    case 'invocation_end': {
      const labels = { agent: event.agent, status: event.status };
      metrics.invocations.inc(labels);
      metrics.invocationDuration.observe(labels, event.duration_ms / 1000);
      for (const type of ['input', 'output', 'cache_read', 'cache_write'] as const) {
        const n = event.tokens[type];
        if (n > 0) metrics.tokens.inc({ agent: event.agent, type }, n);
      }
      return;
    }
    case 'tool_call':
      metrics.toolCalls.inc({ agent: event.agent, tool: event.tool, status: event.status });
      metrics.toolDuration.observe({ tool: event.tool, status: event.status }, event.duration_ms / 1000);
      return;
    case 'validation_violation':
      metrics.validationViolations.inc({ agent: event.agent, rule: event.rule, severity: event.severity });
      return;
    case 'guardrail':
      metrics.guardrailFirings.inc({ agent: event.agent, guardrail: event.guardrail, mode: event.mode, side: event.side });
      return;
    case 'model_fallback':
      metrics.modelFallbacks.inc({ agent: event.agent, from: event.from, to: event.to });
      return;
    default:
      return;
  }
}
