/**
 * Starting and driving runs: `startRun` writes a new run record and drives
 * it; `driveRun` drives a stored run (a new one, or one resumed after its
 * approvals were decided) through a `RunRecorder`, with the run's stop
 * conditions wired to its abort signal: a cancel, the app's request
 * timeout, the host's own deadline (`hostSignal`, e.g. a Lambda
 * invocation's), and the client's disconnect unless the request asked for
 * `detach`.
 */
import { randomUUID } from 'node:crypto';
import { AgentSpecError, ErrorCode, isAgentSpecError } from '../errors.js';
import type { Logger } from '../telemetry/logger.js';
import type { ActiveRuns } from './active-runs.js';
import { RunRecorder, type RecorderOptions } from './recorder.js';
import type { RecordedEvent } from './run-events.js';
import type { LoggedEvent, Run, RunKind, RunStore } from './types.js';

/** What driving a run needs of the app (the HTTP `RouteContext` is one). */
export interface RunHost {
  runs: RunStore;
  active: ActiveRuns;
  logger: Logger;
  requestTimeoutMs?: number | undefined;
}

export interface DriveOptions {
  /** keep the run going when the client goes away */
  detach?: boolean | undefined;
  /** aborted when the host must stop the run whatever the client asked (its deadline) */
  hostSignal?: AbortSignal | undefined;
  /** tuning of the recorder (tail size, back-pressure, cancel polling) */
  recorder?: Pick<RecorderOptions, 'tailSize' | 'maxPending' | 'cancelPollMs'> | undefined;
}

export interface DrivenRun {
  readonly id: string;
  readonly recorder: RunRecorder;
  /** the run as written once it ended or paused (final status or `waiting`); never rejects */
  readonly done: Promise<Run>;
  /** the log after seq `after`, live until the run ends or pauses (`pin`: the client that started it) */
  follow(after: number, signal?: AbortSignal, pin?: boolean): AsyncIterable<LoggedEvent>;
  /** the client went away (`reason`: the request's abort reason): cancels the run unless it was detached */
  disconnect(reason?: unknown): void;
}

export interface NewRun {
  kind: RunKind;
  target: string;
  session_id?: string | undefined;
  user?: string | undefined;
}

/** Writes a new run record (status `running`, the store's default expiry) and drives it; its log opens with `run`. */
export async function startRun(
  host: RunHost,
  spec: NewRun,
  start: (signal: AbortSignal) => AsyncIterable<RecordedEvent>,
  options: DriveOptions = {},
): Promise<DrivenRun> {
  const now = new Date().toISOString();
  const run = await host.runs.create({
    id: randomUUID(),
    kind: spec.kind,
    target: spec.target,
    status: 'running',
    created_at: now,
    updated_at: now,
    expires_at: 0,
    ...(spec.session_id === undefined ? {} : { session_id: spec.session_id }),
    ...(spec.user === undefined ? {} : { user: spec.user }),
  });
  return drive(host, run, start, options, true);
}

/**
 * Drives a stored run whose status is `running` (for a resumed run, the
 * record as the decision's compare-and-set wrote it): its events continue
 * the log after its last seq.
 */
export function driveRun(host: RunHost, run: Run, start: (signal: AbortSignal) => AsyncIterable<RecordedEvent>, options: DriveOptions = {}): DrivenRun {
  return drive(host, run, start, options, false);
}

function drive(host: RunHost, run: Run, start: (signal: AbortSignal) => AsyncIterable<RecordedEvent>, options: DriveOptions, fresh: boolean): DrivenRun {
  const controller = new AbortController();
  const stop = (reason: AgentSpecError) => controller.abort(reason);
  const timeoutMs = host.requestTimeoutMs;
  const timer = timeoutMs === undefined ? undefined : setTimeout(() => stop(timeoutError(timeoutMs)), timeoutMs);
  timer?.unref?.();
  const onHostAbort = () => stop(reasonOf(options.hostSignal?.reason, 'The host stopped the run.'));
  if (options.hostSignal?.aborted) onHostAbort();
  else options.hostSignal?.addEventListener('abort', onHostAbort, { once: true });

  const recorder = new RunRecorder({ store: host.runs, run, controller, logger: host.logger, fresh, ...options.recorder });
  const done = recorder.record(start(controller.signal)).finally(() => {
    if (timer) clearTimeout(timer);
    options.hostSignal?.removeEventListener('abort', onHostAbort);
  });
  host.active.track(recorder, done);
  return {
    id: run.id,
    recorder,
    done,
    follow: (after, signal, pin) => recorder.follow(after, signal, pin),
    disconnect: (reason) => {
      if (!options.detach) stop(clientGoneError(reason));
    },
  };
}

/** The error of a run the app's request timeout stopped. */
export function timeoutError(ms: number): AgentSpecError {
  return new AgentSpecError(ErrorCode.Timeout, `The request did not finish within ${ms} ms.`, { details: { timeout_ms: ms } });
}

/** The error of a run whose client went away: the request's abort reason when it is one of ours. */
export function clientGoneError(reason: unknown): AgentSpecError {
  return reasonOf(reason, 'The client closed the connection.');
}

function reasonOf(reason: unknown, fallback: string): AgentSpecError {
  return isAgentSpecError(reason) ? reason : new AgentSpecError(ErrorCode.Cancelled, fallback);
}
