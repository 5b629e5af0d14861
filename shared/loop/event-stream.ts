/**
 * Turns a run that reports through an `emit` callback into an async
 * iterable of events ending with `done` or `error`. The run starts when the
 * iteration starts; a consumer that stops early (a client that disconnects)
 * aborts the run's signal, which cancels the model request and the tools.
 */
import { toAgentSpecError } from '../errors.js';
import type { Emit } from './run-context.js';
import type { InvokeResult, RunEvent } from './types.js';

/** Runs `start` and yields its events, then `done` with the result or one `error`. */
export async function* streamRun(
  start: (emit: Emit, signal: AbortSignal) => Promise<InvokeResult>,
  callerSignal?: AbortSignal,
): AsyncGenerator<RunEvent, void, undefined> {
  const controller = new AbortController();
  const onCallerAbort = () => controller.abort(callerSignal!.reason);
  if (callerSignal?.aborted) onCallerAbort();
  else callerSignal?.addEventListener('abort', onCallerAbort, { once: true });

  const queue: RunEvent[] = [];
  let wake: (() => void) | undefined;
  let settled = false;
  const push: Emit = (event) => {
    queue.push(event);
    if (wake) {
      wake();
      wake = undefined;
    }
  };
  start(push, controller.signal).then(
    (result) => {
      settled = true;
      push({ type: 'done', data: result });
    },
    (error: unknown) => {
      settled = true;
      push({ type: 'error', data: toAgentSpecError(error).toJSON() });
    },
  );

  try {
    for (let read = 0; ;) {
      while (read < queue.length) {
        const event = queue[read++]!;
        yield event;
        if (event.type === 'done' || event.type === 'error') return;
      }
      queue.length = read = 0;
      await new Promise<void>((resolve) => (wake = resolve));
    }
  } finally {
    callerSignal?.removeEventListener('abort', onCallerAbort);
    if (!settled) controller.abort();
  }
}
