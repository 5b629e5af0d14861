/**
 * Which eval case the current async flow is running. The runner enters it
 * around each invocation so the scripted model, deep inside the runtime, can
 * answer for that case while other cases run at the same time.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { EvalTarget } from './types.js';

const storage = new AsyncLocalStorage<EvalTarget>();

export function runInCase<T>(target: EvalTarget, fn: () => Promise<T>): Promise<T> {
  return storage.run(target, fn);
}

/** The case being run here, if any. */
export function currentCase(): EvalTarget | undefined {
  return storage.getStore();
}
