/**
 * The `Telemetry` object: a `RuntimeObserver` that feeds Prometheus metrics
 * and, when an OTLP endpoint is configured, OpenTelemetry spans. One per app;
 * give it to the runtime as its observer and to the HTTP app for `/v1/metrics`.
 */
import type { Registry } from 'prom-client';
import type { RuntimeObserver, TelemetryEvent } from './events.js';
import { LazyMetrics } from './lazy-metrics.js';
import { LazySpanRecorder } from './lazy-span-recorder.js';
import type { SpanRecorderOptions } from './tracing.js';
import { SILENT_LOGGER, type Logger } from './logger.js';

export interface TelemetryOptions {
  /** a registry to add the metrics to; a fresh one by default */
  registry?: Registry;
  /** OTLP/HTTP endpoint; defaults to `OTEL_EXPORTER_OTLP_ENDPOINT`; no tracing when neither is set */
  otlpEndpoint?: string;
  /** tracing options beyond the endpoint (an in-memory exporter in tests, headers) */
  tracing?: Omit<SpanRecorderOptions, 'endpoint'>;
  serviceName?: string;
  /** the app's logger; reports telemetry failures */
  logger?: Logger;
}

/** Metrics and traces fed by runtime events. */
export class Telemetry implements RuntimeObserver {
  readonly logger: Logger;
  private readonly metrics: LazyMetrics;
  private readonly spans?: LazySpanRecorder;

  constructor(options: TelemetryOptions = {}) {
    this.logger = options.logger ?? SILENT_LOGGER;
    this.metrics = new LazyMetrics(options.registry, (error) => this.logger.warn('metrics could not be recorded', { error }));
    const endpoint = options.otlpEndpoint ?? (process.env.OTEL_EXPORTER_OTLP_ENDPOINT || undefined);
    if (endpoint !== undefined || options.tracing?.exporter !== undefined) {
      this.spans = new LazySpanRecorder({ ...options.tracing, endpoint, serviceName: options.serviceName ?? options.tracing?.serviceName }, (error) =>
        this.logger.warn('tracing could not start; spans are dropped', { error }),
      );
    }
  }

  /** True when spans are exported. */
  get tracing(): boolean {
    return this.spans !== undefined;
  }

  record(event: TelemetryEvent): void {
    // An observer must never throw into the loop.
    try {
      this.metrics.record(event);
      this.spans?.record(event);
    } catch (error) {
      this.logger.warn('telemetry event dropped', { event: event.type, error });
    }
  }

  /** Counts one HTTP request by method, route pattern and status code. */
  recordHttpRequest(method: string, route: string, status: number): void {
    try {
      this.metrics.httpRequest(method, route, status);
    } catch (error) {
      this.logger.warn('request metric dropped', { error });
    }
  }

  /** The Prometheus exposition text and its content type (loads the metrics library on the first call). */
  metricsExposition(): Promise<{ text: string; contentType: string }> {
    return this.metrics.exposition();
  }

  /** Exports finished spans now. */
  async flush(): Promise<void> {
    await this.spans?.flush();
  }

  /** Exports the remaining spans and stops the exporter. */
  async shutdown(): Promise<void> {
    await this.spans?.shutdown();
  }
}

/** Fans one event out to several observers (e.g. telemetry and a test recorder). */
export function combineObservers(...observers: (RuntimeObserver | undefined)[]): RuntimeObserver {
  const list = observers.filter((o): o is RuntimeObserver => o !== undefined);
  return {
    record(event) {
      for (const o of list) {
        try {
          o.record(event);
        } catch {
          // observers must not throw; one that does must not silence the others
        }
      }
    },
  };
}
