/**
 * A run's events as an async iterator that survives dropped connections: it
 * remembers the run id (header `X-Run-Id`, or the first event `run`) and the
 * id of the last event it delivered, and when the connection fails or ends
 * before a final event (`done`, `error`, `waiting`) it reconnects to
 * `GET /v1/runs/{id}/events` with `Last-Event-ID`, a bounded number of
 * times with growing delays. Events the server replays that were already
 * delivered are skipped, so the consumer sees each event exactly once.
 */
import { AgentSpecApiError } from './api-error.js';
import { AgentSpecConnectionError } from './connection-error.js';
import type { ClientEvent } from './events.js';
import { readSse } from './sse.js';

export interface ResumeOptions {
  /** reconnects in a row without a new event before giving up (default 5) */
  retries?: number | undefined;
  /** the delay before the first reconnect, doubled for each next one (default 200 ms) */
  initialDelayMs?: number | undefined;
  /** the longest delay between reconnects (default 5000 ms) */
  maxDelayMs?: number | undefined;
}

export interface RunStreamSource {
  /** the first request: the stream's POST or the first `GET …/events` */
  start(signal: AbortSignal | undefined): Promise<Response>;
  /** a reconnect: `GET /v1/runs/{id}/events` after `lastEventId` */
  follow(runId: string, lastEventId: number, signal: AbortSignal | undefined): Promise<Response>;
  /** the run's status and last logged event id: a clean end with nothing more to come (a run paused or ended before `after`) ends the stream */
  settled?: ((runId: string) => Promise<{ status: string; last_event_id: number }>) | undefined;
  /** called when the consumer leaves before a final event (the client cancels the run there) */
  leave?: ((runId: string) => Promise<void>) | undefined;
  /** false: no reconnect; a dropped connection throws at once */
  resume: ResumeOptions | false;
  signal: AbortSignal | undefined;
  runId?: string | undefined;
  after?: number | undefined;
}

const FINAL_EVENTS = new Set(['done', 'error', 'waiting']);

export class RunStream implements AsyncIterableIterator<ClientEvent> {
  private readonly events: AsyncGenerator<ClientEvent, void, undefined>;
  private current: string | undefined;
  private last: number;

  constructor(private readonly source: RunStreamSource) {
    this.current = source.runId;
    this.last = source.after ?? 0;
    this.events = this.iterate();
  }

  /** The run's id, once known (before the first event when the server sends `X-Run-Id`). */
  get runId(): string | undefined {
    return this.current;
  }

  /** The id (log seq) of the last event delivered; 0 before the first. */
  get lastEventId(): number {
    return this.last;
  }

  next(): Promise<IteratorResult<ClientEvent, void>> {
    return this.events.next();
  }

  return(): Promise<IteratorResult<ClientEvent, void>> {
    return this.events.return();
  }

  throw(error: unknown): Promise<IteratorResult<ClientEvent, void>> {
    return this.events.throw(error);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /** Whether a run whose stream ended cleanly has nothing left to send: it waits or ended, and every logged event was delivered. */
  private async nothingMore(runId: string, settled: NonNullable<RunStreamSource['settled']>): Promise<boolean> {
    const run = await settled(runId).catch(() => undefined);
    return run !== undefined && run.status !== 'running' && run.last_event_id <= this.last;
  }

  private async *iterate(): AsyncGenerator<ClientEvent, void, undefined> {
    const { source } = this;
    /** a final event was delivered, or the stream gave up with a connection error that says where to go on: nothing to cancel */
    let finished = false;
    try {
      let response: Response | undefined = await source.start(source.signal);
      let failures = 0;
      let cause: unknown;
      for (;;) {
        if (response) {
          this.current ??= response.headers.get('x-run-id') ?? undefined;
          try {
            if (!response.body) throw new AgentSpecApiError(response.status, 'http_error', 'The stream response has no body.');
            for await (const event of readSse(response.body)) {
              if (event.id !== undefined) {
                if (event.id <= this.last) continue;
                this.last = event.id;
              }
              if (event.type === 'run') this.current ??= runIdOf(event.data);
              failures = 0;
              const final = FINAL_EVENTS.has(event.type);
              if (final) finished = true;
              yield { type: event.type, data: event.data } as ClientEvent;
              if (final) return;
            }
            cause = undefined;
            if (this.current !== undefined && source.settled && (await this.nothingMore(this.current, source.settled))) return;
          } catch (error) {
            if (source.signal?.aborted || error instanceof AgentSpecApiError) throw error;
            cause = error;
          }
        }
        const runId = this.current;
        const resume = source.resume;
        if (resume === false || runId === undefined || ++failures > (resume.retries ?? 5)) {
          // the caller did not leave: the run goes on, and the error names where `runEvents` picks it up
          finished = true;
          throw new AgentSpecConnectionError(
            runId === undefined ? 'The stream ended before its run id was known.' : `The stream of run ${runId} ended before its final event.`,
            runId,
            this.last,
            { cause },
          );
        }
        await sleep(Math.min((resume.initialDelayMs ?? 200) * 2 ** (failures - 1), resume.maxDelayMs ?? 5000), source.signal);
        try {
          response = await source.follow(runId, this.last, source.signal);
        } catch (error) {
          // the run is gone, or the key no longer reaches it: reconnecting again will not help
          if (source.signal?.aborted || (error instanceof AgentSpecApiError && error.status < 500 && error.status !== 429)) throw error;
          cause = error;
          response = undefined;
        }
      }
    } finally {
      if (!finished && this.current !== undefined && source.leave) await source.leave(this.current).catch(() => {});
    }
  }
}

function runIdOf(data: unknown): string | undefined {
  const id = (data as { run_id?: unknown } | null)?.run_id;
  return typeof id === 'string' ? id : undefined;
}

/** Resolves after `ms`, or rejects with the signal's reason once it is aborted. */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason as Error);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
