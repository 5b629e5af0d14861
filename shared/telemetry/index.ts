/**
 * Telemetry: runtime events (events.ts) turned into Prometheus metrics,
 * OpenTelemetry spans exported over OTLP/HTTP, and structured JSON logs with
 * secret redaction.
 */
export * from './events.js';
export { Telemetry, combineObservers, type TelemetryOptions } from './telemetry.js';
export { createRuntimeMetrics, recordMetrics, type RuntimeMetrics } from './metrics.js';
export { SpanRecorder, type SpanRecorderOptions } from './tracing.js';
export { createLogger, SILENT_LOGGER, type Logger, type LoggerOptions, type LogLevel, type LogFields } from './logger.js';
