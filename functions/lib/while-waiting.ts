/**
 * INIT work that does not need a pending read runs while the read is in
 * flight. On Lambda the environment's secrets come from the Parameters and
 * Secrets extension, which calls Secrets Manager itself: tens of
 * milliseconds in which the runtime's CPU would otherwise sit idle.
 */

/**
 * Settles `pending` and `work()` together. If either fails, its error is
 * raised (the read's first) once both have settled, and a result `work`
 * produced is handed to `discard`, so nothing it started outlives a failed
 * INIT.
 */
export async function whileWaiting<P, W>(pending: Promise<P>, work: () => Promise<W>, discard: (result: W) => Promise<void>): Promise<[P, W]> {
  // an async wrapper turns a throw before `work` returns its promise into a rejection, so `pending` is always observed
  const [read, done] = await Promise.allSettled([pending, (async () => work())()]);
  if (read.status === 'fulfilled' && done.status === 'fulfilled') return [read.value, done.value];
  if (done.status === 'fulfilled') await discard(done.value).catch(() => undefined);
  throw read.status === 'rejected' ? read.reason : (done as PromiseRejectedResult).reason;
}
