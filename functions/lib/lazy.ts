/**
 * Per-environment initialisation: started at module load (so it runs in the
 * Lambda INIT phase, not on the first request's clock), shared by every warm
 * invocation, and retried on the next invocation if it failed (a secret set
 * later, a transient AWS error) instead of leaving the environment broken.
 */
export interface Lazy<T> {
  get(): Promise<T>;
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
  void get();
  return { get };
}
