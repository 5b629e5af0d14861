/** Factories for HTTP tests: an app over a fake runtime, JSON requests, SSE parsing. */
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { createApp, type AppOptions } from '../../shared/http/app.js';
import { createLogger, SILENT_LOGGER } from '../../shared/telemetry/logger.js';
import { FakeRuntime, type FakeRuntimeOptions } from '../helpers/fake-runtime.js';

export function appWith(runtimeOptions: FakeRuntimeOptions = {}, appOptions: Partial<AppOptions> = {}) {
  const runtime = new FakeRuntime(runtimeOptions);
  const app = createApp({ runtime: () => runtime, apiKeys: false, logger: SILENT_LOGGER, ...appOptions });
  return { app, runtime };
}

export function post(body: unknown, headers: Record<string, string> = {}): RequestInit {
  return { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) };
}

/** Reads a whole SSE response into its events. */
export async function readEvents(response: Response): Promise<EventSourceMessage[]> {
  const events: EventSourceMessage[] = [];
  const parser = createParser({ onEvent: (e) => events.push(e) });
  const text = await response.text();
  parser.feed(text);
  return events;
}

export interface LogRecord {
  level: string;
  msg: string;
  [field: string]: unknown;
}

/** A logger that keeps every record, and waits for the first one a predicate accepts. */
export function recordingLogger() {
  const records: LogRecord[] = [];
  const waiters: { accept: (r: LogRecord) => boolean; resolve: (r: LogRecord) => void }[] = [];
  const logger = createLogger({
    sink: (line) => {
      const record = JSON.parse(line) as LogRecord;
      records.push(record);
      for (const waiter of waiters.splice(0)) {
        if (waiter.accept(record)) waiter.resolve(record);
        else waiters.push(waiter);
      }
    },
  });
  /** The first record (already written or still to come) that `accept` accepts. */
  const next = (accept: (r: LogRecord) => boolean): Promise<LogRecord> => {
    const seen = records.find(accept);
    return seen ? Promise.resolve(seen) : new Promise((resolve) => waiters.push({ accept, resolve }));
  };
  /** The access-log lines of requests to `path`. */
  const requests = (path: string) => records.filter((r) => r.msg === 'request' && r.path === path);
  return { logger, records, next, requests };
}
