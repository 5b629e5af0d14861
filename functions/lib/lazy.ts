/**
 * Per-environment initialisation: started at module load and awaited there
 * (top-level `await lazy(…).settled()`), so it runs in the Lambda INIT phase —
 * before the runtime client asks for the first event, where provisioned
 * concurrency pays for it — not on the first request's clock. Shared by every
 * warm invocation, and retried on the next invocation if it failed (a secret
 * set later, a transient AWS error) instead of leaving the environment broken.
 */
export interface Lazy<T> {
  get(): Promise<T>;
  /** resolves once the first attempt has finished, whether it succeeded or not */
  settled(): Promise<void>;
}

/** Starts `init` now and memoises its result; a failure is forgotten so the next `get` retries. */
export function lazy<T>(init: () => Promise<T>): Lazy<T> {
  let pending: Promise<T> | undefined;
  const get = (): Promise<T> => {
    if (!pending) {
      pending = init();
      pending.catch(() => {
        pending = undefined;
      });
    }
    return pending;
  };
  const first = get().then(
    () => undefined,
    () => undefined,
  );
  return { get, settled: () => first };
}
