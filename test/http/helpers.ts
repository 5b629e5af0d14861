/** Factories for HTTP tests: an app over a fake runtime, JSON requests, SSE parsing. */
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { createApp, type AppOptions } from '../../shared/http/app.js';
import { SILENT_LOGGER } from '../../shared/telemetry/logger.js';
import { FakeRuntime, type FakeRuntimeOptions } from '../helpers/fake-runtime.js';

export function appWith(runtimeOptions: FakeRuntimeOptions = {}, appOptions: Partial<AppOptions> = {}) {
  const runtime = new FakeRuntime(runtimeOptions);
  const app = createApp({ runtime: () => runtime, apiKeys: [], logger: SILENT_LOGGER, ...appOptions });
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
