/**
 * What a Lambda invocation gives the app beside the request: Hono's
 * execution context, whose `waitUntil` takes the work that outlives the
 * response (a run still being recorded, a detached run) and whose
 * `props.signal` is the invocation's deadline, which stops every run it
 * drives, detached or not (shared/http/host.ts reads both). Lambda freezes an
 * environment once its handler returns, so the handler waits for that work
 * (`settled`) before returning.
 */
import type { ExecutionContext } from 'hono';

export interface HostContext {
  readonly executionCtx: ExecutionContext;
  /** Resolves once every promise given to `waitUntil` has settled, or at once when `giveUp` aborts. */
  settled(giveUp: AbortSignal): Promise<void>;
}

/** The execution context of one invocation whose deadline is `deadline`. */
export function hostContext(deadline: AbortSignal): HostContext {
  const work: Promise<unknown>[] = [];
  return {
    executionCtx: {
      waitUntil: (promise) => void work.push(promise.catch(() => undefined)),
      passThroughOnException: () => undefined,
      props: { signal: deadline },
    },
    async settled(giveUp) {
      if (giveUp.aborted) return;
      let stop = () => {};
      const abandoned = new Promise<void>((resolve) => {
        stop = resolve;
        giveUp.addEventListener('abort', stop, { once: true });
      });
      try {
        // work handed over while earlier work settled is waited for too
        let seen = 0;
        while (seen < work.length && !giveUp.aborted) {
          const batch = work.slice(seen);
          seen = work.length;
          await Promise.race([Promise.all(batch), abandoned]);
        }
      } finally {
        giveUp.removeEventListener('abort', stop);
      }
    },
  };
}
