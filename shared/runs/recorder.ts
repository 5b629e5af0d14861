/**
 * The run recorder: drives one run's events into its `RunStore` log and its
 * final state into the run record, and serves the followers on this
 * instance from a bounded tail of the log.
 *
 * - Order: every event is appended in order (a new run's log starts with
 *   `run` `{ run_id }`). An append is sent as soon as the previous one has
 *   finished; events arriving meanwhile are coalesced into the next one, so a
 *   slow store is hit once per batch, not once per text token. When
 *   `maxPending` events wait, the recorder stops reading the run until the
 *   store catches up.
 * - End: the terminal event is logged before the record is written
 *   (`succeeded` + result, `failed` / `cancelled` + error, `waiting` +
 *   pending approvals + checkpoint), and followers here end only after that
 *   write, so a client that saw the end reads the final status.
 * - Cancel: `cancel_requested` in the record (set by another instance) is
 *   noticed by re-reading the record at most every `cancelPollMs`; the local
 *   cancel route aborts the run's controller directly.
 * - A store failure while recording loses nothing the connected client
 *   needs: the recorder stops appending, marks the log incomplete, and keeps
 *   serving the followers here from the tail (holding events until the
 *   pinned follower, the client that started the run, has read them). A run
 *   that would pause for approval fails instead (`unavailable`): it could not
 *   be resumed from an incomplete log.
 */
import { AgentSpecError, ErrorCode, isAgentSpecError, toAgentSpecError } from '../errors.js';
import type { Logger } from '../telemetry/logger.js';
import { endsStretch, type LogEntry, type RecordedEvent } from './run-events.js';
import { RunTail } from './run-tail.js';
import { updateRun } from './update-run.js';
import type { LoggedEvent, Run, RunError, RunStore } from './types.js';

export interface RecorderOptions {
  store: RunStore;
  /** the stored record (status `running`) */
  run: Run;
  /** aborting it stops the run; its reason (an AgentSpecError) becomes the run's error */
  controller: AbortController;
  logger: Logger;
  /** a new run: log `run` first (a resumed one continues its log) */
  fresh: boolean;
  /** events kept in memory for local followers (default 256) */
  tailSize?: number;
  /** events waiting for an append before the recorder stops reading the run (default 256) */
  maxPending?: number;
  /** how often the record is re-read for `cancel_requested` (default 1000 ms) */
  cancelPollMs?: number;
}

export const DEFAULT_TAIL_SIZE = 256;
type WaitingEvent = Extract<RecordedEvent, { type: 'waiting' }>;
const READ_PAGE = 256;

export class RunRecorder {
  readonly id: string;
  /** appends sent to the store, for tests and figures */
  appends = 0;
  /** the most events buffered at once (tail + waiting for an append) */
  maxBuffered = 0;
  /** true once an append failed: the log misses events from there on */
  logIncomplete = false;
  private readonly store: RunStore;
  private readonly controller: AbortController;
  private readonly logger: Logger;
  private readonly tail: RunTail;
  private readonly maxPending: number;
  private readonly cancelPollMs: number;
  private pending: LogEntry[] = [];
  private flushing: Promise<void> | undefined;
  /** seq of the last event published (logged, or numbered here once the log broke) */
  private lastSeq: number | undefined;
  private final: Run | undefined;
  private run: Run;
  private readonly stopWatch = new AbortController();

  constructor(private readonly options: RecorderOptions) {
    this.id = options.run.id;
    this.run = options.run;
    this.store = options.store;
    this.controller = options.controller;
    this.logger = options.logger;
    this.tail = new RunTail(options.tailSize ?? DEFAULT_TAIL_SIZE);
    this.maxPending = options.maxPending ?? DEFAULT_TAIL_SIZE;
    this.cancelPollMs = options.cancelPollMs ?? 1000;
    if (options.fresh) this.lastSeq = 0;
  }

  /** The run's state once recorded (undefined while it goes on). */
  get result(): Run | undefined {
    return this.final;
  }

  /** seq of the last event published here (undefined for a resumed run before its first append) */
  get published(): number | undefined {
    return this.lastSeq;
  }

  /** Reads the run to its end, logging every event; resolves with the run as written (never rejects). */
  async record(events: AsyncIterable<RecordedEvent>): Promise<Run> {
    const watching = this.watchCancel();
    let end: LogEntry | undefined;
    let waiting: WaitingEvent | undefined;
    try {
      if (this.options.fresh) this.enqueue({ type: 'run', data: { run_id: this.id } });
      for await (const event of events) {
        if (event.type === 'waiting') {
          waiting = event;
          break;
        }
        if (event.type === 'error') {
          end = { type: 'error', data: this.abortReason() ?? event.data };
          break;
        }
        if (event.type === 'done') {
          end = event;
          break;
        }
        this.enqueue(event);
        await this.backPressure();
      }
    } catch (error) {
      // a runtime's stream never throws by contract: keep the cause for the logs, never for the client
      this.logger.error('run failed', { run_id: this.id, error });
      end = { type: 'error', data: this.abortReason() ?? toAgentSpecError(error).toJSON() };
    }
    // the approval_required events must be logged before the record says `waiting`
    await this.drain();
    if (waiting) {
      end = this.logIncomplete
        ? errorEntry(new AgentSpecError(ErrorCode.Unavailable, 'The run log could not be written, so the run cannot wait for approval.'))
        : { type: 'waiting', data: { run_id: this.id, approvals: waiting.data.approvals } };
    }
    end ??= { type: 'error', data: this.abortReason() ?? new AgentSpecError(ErrorCode.InternalError, 'The run ended without a result.').toJSON() };
    this.enqueue(end);
    await this.drain();
    this.final = await this.writeFinal(end, end.type === 'waiting' ? waiting : undefined);
    this.stopWatch.abort();
    await watching;
    this.tail.notify();
    this.logger.debug('run recorded', {
      run_id: this.id,
      status: this.final.status,
      last_seq: this.lastSeq,
      appends: this.appends,
      max_buffered: this.maxBuffered,
      log_incomplete: this.logIncomplete,
    });
    return this.final;
  }

  /**
   * The log after seq `after`, from the tail here or the store, live until
   * the run ends or pauses (and its record is written). `pin`: hold unlogged
   * events for this follower (the client that started the run). Throws
   * `unavailable` when events it needs are missing from an incomplete log.
   */
  async *follow(after: number, signal?: AbortSignal, pin = false): AsyncGenerator<LoggedEvent, void, undefined> {
    let cursor = after;
    const pinned = pin ? this.tail.pin(cursor) : undefined;
    const moved = (seq: number) => {
      cursor = seq;
      if (pinned) {
        pinned.cursor = seq;
        this.tail.advanced();
      }
    };
    try {
      for (;;) {
        if (signal?.aborted) return;
        const seen = this.tail.version;
        const next = this.tail.at(cursor + 1);
        if (next) {
          moved(next.seq);
          yield next;
          if (endsStretch(next.type)) return void (await this.settled(signal));
          continue;
        }
        const first = this.tail.firstSeq;
        // before the tail, or a resumed run whose earlier log is only in the store
        if (first === undefined ? this.lastSeq === undefined : cursor + 1 < first) {
          let read = 0;
          for (const event of await this.store.read(this.id, cursor, READ_PAGE)) {
            if (event.seq !== cursor + 1) break;
            moved(event.seq);
            read++;
            yield event;
            // a `waiting` before this recorder's own events is a pause the run has since been resumed from
            if (endsStretch(event.type) && event.type !== 'waiting') return void (await this.settled(signal));
          }
          if (read > 0) continue;
          if (first !== undefined) throw incomplete(this.id, cursor);
        } else if (this.final) {
          return;
        }
        if (this.tail.version === seen) await this.tail.next(signal);
      }
    } finally {
      if (pinned) this.tail.unpin(pinned);
    }
  }

  /** Stops the run (its record says why once it has ended). */
  cancel(reason: AgentSpecError): void {
    this.controller.abort(reason);
  }

  private enqueue(event: LogEntry): void {
    if (this.logIncomplete) return this.publish([event], false);
    this.pending.push(event);
    this.count();
    this.flushing ??= this.flush();
  }

  /** Appends what is pending, batch by batch, until nothing is. */
  private async flush(): Promise<void> {
    try {
      while (this.pending.length > 0) {
        const batch = this.pending;
        this.pending = [];
        if (this.logIncomplete) {
          this.publish(batch, false);
          continue;
        }
        try {
          this.appends++;
          const last = await this.store.append(this.id, batch);
          this.publish(
            batch.map((e, i) => ({ ...e, seq: last - batch.length + 1 + i })),
            true,
          );
        } catch (error) {
          this.logIncomplete = true;
          this.logger.error('run log append failed: the log misses events from here on', { run_id: this.id, error: toAgentSpecError(error) });
          this.publish(batch, false);
        }
      }
    } finally {
      this.flushing = undefined;
    }
  }

  /** Hands events to the followers here: logged ones with their seqs, unlogged ones numbered on. */
  private publish(events: readonly (LogEntry | LoggedEvent)[], durable: boolean): void {
    if (events.length === 0) return;
    const base = this.lastSeq ?? 0;
    const numbered = durable ? (events as LoggedEvent[]) : events.map((e, i) => ({ type: e.type, data: e.data, seq: base + 1 + i }));
    this.lastSeq = numbered.at(-1)!.seq;
    this.tail.push(numbered, durable);
    this.count();
  }

  private count(): void {
    this.maxBuffered = Math.max(this.maxBuffered, this.tail.size + this.pending.length);
  }

  /** Waits while too many events wait for the store, or (log broken) a pinned follower holds the full tail. */
  private async backPressure(): Promise<void> {
    while (this.pending.length >= this.maxPending && this.flushing) await this.flushing;
    while (this.logIncomplete && !this.tail.roomFor(false) && !this.controller.signal.aborted) await this.tail.next(this.controller.signal);
  }

  private async drain(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  /** Resolves once the record is written (followers end after it), or at abort. */
  private async settled(signal?: AbortSignal): Promise<void> {
    while (!this.final && !signal?.aborted) await this.tail.next(signal);
  }

  /** The run's stop reason when it was stopped from outside (cancel, timeout, disconnect). */
  private abortReason(): RunError | undefined {
    const signal = this.controller.signal;
    if (!signal.aborted || !isAgentSpecError(signal.reason)) return undefined;
    return signal.reason.toJSON();
  }

  /** Writes the record's end state with compare-and-set, re-reading it after a conflict (a cancel request). */
  private async writeFinal(end: LogEntry, waiting: WaitingEvent | undefined): Promise<Run> {
    const final = (run: Run): Run => {
      const { pending_approvals: _p, checkpoint: _c, result: _r, error: _e, ...base } = this.logged(run);
      return endState(base, end, waiting);
    };
    try {
      return await updateRun(this.store, this.run, final);
    } catch (error) {
      // the connected client still gets its answer: the record keeps its last written state
      this.logger.error('run record write failed', { run_id: this.id, status: final(this.run).status, error: toAgentSpecError(error) });
      return final(this.run);
    }
  }

  /** The record with where its log ends and whether it is whole. */
  private logged(run: Run): Run {
    const { log_incomplete: _l, ...rest } = run;
    return {
      ...rest,
      ...(this.lastSeq === undefined ? {} : { last_seq: this.lastSeq }),
      ...(this.logIncomplete || run.log_incomplete ? { log_incomplete: true } : {}),
    };
  }

  /** Re-reads the record every `cancelPollMs` until the run ends; aborts it when `cancel_requested` is set. */
  private async watchCancel(): Promise<void> {
    const stop = this.stopWatch.signal;
    while (!stop.aborted) {
      await sleep(this.cancelPollMs, stop);
      if (stop.aborted) return;
      const run = await this.store.get(this.id).catch(() => undefined);
      if (run?.cancel_requested) {
        this.cancel(cancelledError());
        return;
      }
    }
  }
}

/** The record once the run has ended or paused. */
function endState(base: Omit<Run, 'pending_approvals' | 'checkpoint' | 'result' | 'error'>, end: LogEntry, waiting: WaitingEvent | undefined): Run {
  const updated_at = new Date().toISOString();
  if (end.type === 'done') return { ...base, updated_at, status: 'succeeded', result: end.data };
  if (end.type === 'waiting' && waiting) {
    return { ...base, updated_at, status: 'waiting', pending_approvals: waiting.data.approvals, checkpoint: waiting.data.checkpoint };
  }
  const error = end.data as RunError;
  return { ...base, updated_at, status: error.error === ErrorCode.Cancelled ? 'cancelled' : 'failed', error };
}

export function cancelledError(): AgentSpecError {
  return new AgentSpecError(ErrorCode.Cancelled, 'The run was cancelled.');
}

function errorEntry(error: AgentSpecError): LogEntry {
  return { type: 'error', data: error.toJSON() };
}

function incomplete(id: string, after: number): AgentSpecError {
  return new AgentSpecError(ErrorCode.Unavailable, `The log of run "${id}" misses events after ${after}: the store refused them while the run went on.`, {
    details: { run_id: id, after },
  });
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    timer.unref?.();
    signal.addEventListener('abort', done, { once: true });
  });
}
