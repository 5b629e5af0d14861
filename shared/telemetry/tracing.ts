/**
 * OpenTelemetry spans built from runtime events: one span per invocation,
 * with its model calls and tool calls as children (and delegated invocations
 * as children of their parent invocation). Model and tool events arrive when
 * the work has finished, so their spans are created with explicit start and
 * end times; the context is passed explicitly, so no global context manager
 * or tracer provider is installed.
 */
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Span, type Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { TelemetryEvent } from './events.js';

export interface SpanRecorderOptions {
  /** OTLP/HTTP base endpoint (as `OTEL_EXPORTER_OTLP_ENDPOINT`); spans go to `<endpoint>/v1/traces` */
  endpoint?: string | undefined;
  /** an exporter to use instead of OTLP (tests) */
  exporter?: SpanExporter;
  serviceName?: string | undefined;
  /** OTLP request headers, e.g. an authorization header of the collector */
  headers?: Record<string, string>;
}

/** Turns runtime events into spans and exports them. */
export class SpanRecorder {
  private readonly provider: BasicTracerProvider;
  private readonly tracer: Tracer;
  /** open invocation spans by invocation id */
  private readonly open = new Map<string, Span>();

  constructor(options: SpanRecorderOptions) {
    const exporter =
      options.exporter ??
      new OTLPTraceExporter({ url: tracesUrl(options.endpoint ?? 'http://localhost:4318'), ...(options.headers && { headers: options.headers }) });
    this.provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': options.serviceName ?? 'agentspec-runtime' }),
      spanProcessors: [new BatchSpanProcessor(exporter, { scheduledDelayMillis: 1000 })],
    });
    this.tracer = this.provider.getTracer('agentspec-runtime');
  }

  record(event: TelemetryEvent): void {
    switch (event.type) {
      case 'invocation_start':
        this.open.set(event.invocation_id, this.startInvocation(event.invocation_id, event.agent, event.start_ms, event.parent_invocation_id));
        return;
      case 'invocation_end': {
        const span = this.open.get(event.invocation_id) ?? this.startInvocation(event.invocation_id, event.agent, event.start_ms);
        this.open.delete(event.invocation_id);
        span.setAttributes({
          'agentspec.status': event.status,
          'gen_ai.usage.input_tokens': event.tokens.input,
          'gen_ai.usage.output_tokens': event.tokens.output,
          'agentspec.tokens.cache_read': event.tokens.cache_read,
          'agentspec.tokens.cache_write': event.tokens.cache_write,
        });
        if (event.status === 'error') span.setStatus({ code: SpanStatusCode.ERROR, ...(event.error_code !== undefined && { message: event.error_code }) });
        span.end(event.start_ms + event.duration_ms);
        return;
      }
      case 'model_call': {
        const span = this.tracer.startSpan(
          `chat ${event.model}`,
          {
            kind: SpanKind.CLIENT,
            startTime: event.start_ms,
            attributes: {
              'gen_ai.operation.name': 'chat',
              'gen_ai.request.model': event.model,
              'gen_ai.usage.input_tokens': event.usage.input,
              'gen_ai.usage.output_tokens': event.usage.output,
              'agentspec.agent': event.agent,
            },
          },
          this.parentContext(event.invocation_id),
        );
        if (event.status === 'error') span.setStatus({ code: SpanStatusCode.ERROR });
        span.end(event.start_ms + event.duration_ms);
        return;
      }
      case 'tool_call': {
        const span = this.tracer.startSpan(
          `tool ${event.tool}`,
          {
            kind: SpanKind.INTERNAL,
            startTime: event.start_ms,
            attributes: { 'agentspec.tool': event.tool, 'agentspec.tool.call_id': event.call_id, 'agentspec.agent': event.agent },
          },
          this.parentContext(event.invocation_id),
        );
        if (event.status === 'error') span.setStatus({ code: SpanStatusCode.ERROR });
        span.end(event.start_ms + event.duration_ms);
        return;
      }
      case 'validation_violation':
      case 'guardrail':
      case 'model_fallback': {
        // an event on the invocation's span, with what the telemetry event says (never a matched text: it carries none)
        const { type, invocation_id, ...attributes } = event;
        this.open.get(invocation_id)?.addEvent(`agentspec.${type}`, attributes);
        return;
      }
    }
  }

  /** Exports every finished span now. */
  async flush(): Promise<void> {
    await this.provider.forceFlush();
  }

  /** Ends spans still open (as errors), exports and stops. */
  async shutdown(): Promise<void> {
    for (const span of this.open.values()) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: 'unfinished at shutdown' });
      span.end();
    }
    this.open.clear();
    await this.provider.shutdown();
  }

  private startInvocation(id: string, agent: string, startMs: number, parentId?: string): Span {
    return this.tracer.startSpan(
      `invoke_agent ${agent}`,
      { kind: SpanKind.INTERNAL, startTime: startMs, attributes: { 'agentspec.agent': agent, 'agentspec.invocation_id': id } },
      parentId === undefined ? ROOT_CONTEXT : this.parentContext(parentId),
    );
  }

  private parentContext(invocationId: string) {
    const parent = this.open.get(invocationId);
    return parent ? trace.setSpan(ROOT_CONTEXT, parent) : ROOT_CONTEXT;
  }
}

/** `OTEL_EXPORTER_OTLP_ENDPOINT` is a base URL; the traces signal lives under `/v1/traces`. */
function tracesUrl(endpoint: string): string {
  return `${endpoint.replace(/\/+$/, '')}/v1/traces`;
}
