/**
 * A `SpanRecorder` that loads the OpenTelemetry SDK and its OTLP exporter
 * when tracing is switched on, never at import: most deployments do not
 * trace, and the SDK is a fair part of a Lambda cold start. Events recorded
 * while it loads are kept (up to a bound) and replayed in order.
 */
import type { TelemetryEvent } from './events.js';
import type { SpanRecorder, SpanRecorderOptions } from './tracing.js';

/** Events kept while the SDK loads; a burst beyond this is dropped rather than held without bound. */
const MAX_QUEUED = 10_000;

export class LazySpanRecorder {
  private recorder: SpanRecorder | undefined;
  private queue: TelemetryEvent[] = [];
  private readonly ready: Promise<SpanRecorder | undefined>;

  constructor(options: SpanRecorderOptions, onError: (error: unknown) => void) {
    this.ready = import('./tracing.js').then(
      ({ SpanRecorder: Recorder }) => {
        const recorder = new Recorder(options);
        for (const event of this.queue) {
          try {
            recorder.record(event);
          } catch (error) {
            onError(error);
          }
        }
        this.queue = [];
        this.recorder = recorder;
        return recorder;
      },
      (error: unknown) => {
        onError(error);
        this.queue = [];
        return undefined;
      },
    );
  }

  record(event: TelemetryEvent): void {
    if (this.recorder) this.recorder.record(event);
    else if (this.queue.length < MAX_QUEUED) this.queue.push(event);
  }

  /** Exports finished spans now (after the SDK has loaded). */
  async flush(): Promise<void> {
    await (await this.ready)?.flush();
  }

  /** Exports the remaining spans and stops the exporter. */
  async shutdown(): Promise<void> {
    await (await this.ready)?.shutdown();
  }
}
