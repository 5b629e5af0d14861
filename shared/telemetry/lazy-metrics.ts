/**
 * The runtime's Prometheus metrics, with `prom-client` loaded when first
 * needed rather than at import: loading it (and the `cluster`, `https`,
 * `zlib` and `v8` modules it requires at the top) was ≈ 13 ms of every Lambda
 * cold start, for metrics nobody may ever scrape from that environment.
 *
 * Updates are kept, in order, until the library is loaded and then replayed,
 * so nothing is lost and the exposition is the same as with eager metrics.
 * The library is loaded by the first exposition (a scrape of `/v1/metrics`),
 * or once `LAZY_METRICS_LOAD_AFTER` updates are waiting, which bounds what is
 * kept by a process that is never scraped.
 */
import type { Registry } from 'prom-client';
import type { TelemetryEvent } from './events.js';
import type { RuntimeMetrics } from './metrics.js';

/** Updates kept before the library is loaded without waiting for a scrape. */
export const LAZY_METRICS_LOAD_AFTER = 1000;

/** The events `recordMetrics` counts (see metrics.ts); the others never load the library. */
const METRIC_EVENTS: ReadonlySet<TelemetryEvent['type']> = new Set(['invocation_end', 'tool_call', 'validation_violation', 'guardrail', 'model_fallback']);

/** The metrics and the module's `recordMetrics`, once the library is loaded. */
interface Loaded {
  metrics: RuntimeMetrics;
  record: typeof import('./metrics.js').recordMetrics;
}
type Update = (loaded: Loaded) => void;

export class LazyMetrics {
  private loaded: Loaded | undefined;
  private pending: Update[] = [];
  private loading: Promise<Loaded> | undefined;

  constructor(
    private readonly registry: Registry | undefined,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Folds one runtime event into the metrics. */
  record(event: TelemetryEvent): void {
    if (METRIC_EVENTS.has(event.type)) this.update(({ metrics, record }) => record(metrics, event));
  }

  /** Counts one HTTP request. */
  httpRequest(method: string, route: string, status: number): void {
    this.update(({ metrics }) => metrics.httpRequests.inc({ method, route, status: String(status) }));
  }

  /** The Prometheus exposition text and its content type. */
  async exposition(): Promise<{ text: string; contentType: string }> {
    const { registry } = (await this.load()).metrics;
    return { text: await registry.metrics(), contentType: registry.contentType };
  }

  private update(apply: Update): void {
    if (this.loaded) {
      apply(this.loaded);
      return;
    }
    this.pending.push(apply);
    if (this.pending.length >= LAZY_METRICS_LOAD_AFTER) {
      this.load().catch(() => {
        // reported by load
      });
    }
  }

  private load(): Promise<Loaded> {
    this.loading ??= import('./metrics.js').then(
      ({ createRuntimeMetrics, recordMetrics }) => {
        const loaded = { metrics: createRuntimeMetrics(this.registry), record: recordMetrics };
        for (const apply of this.pending) {
          try {
            apply(loaded);
          } catch (error) {
            this.onError(error);
          }
        }
        this.pending = [];
        this.loaded = loaded;
        return loaded;
      },
      (error: unknown) => {
        // the next exposition tries again; what was kept is dropped rather than held without bound
        this.onError(error);
        this.pending = [];
        this.loading = undefined;
        throw error;
      },
    );
    return this.loading;
  }
}
