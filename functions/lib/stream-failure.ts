/**
 * A failed response stream must not end the execution environment. When the
 * Runtime API fails a streamed response's POST, AWS's runtime client
 * (aws-lambda-ric 4.0.2) rejects a promise of its own that nothing awaits,
 * and Node's default for an unhandled rejection ends the process: the next
 * request would pay a cold start. The stream's error is noted here and that
 * rejection ignored; any other reason keeps Node's default (thrown as an
 * uncaught exception) unless another listener handles it.
 */
const noted = new WeakSet<object>();
let listening = false;

/** Notes the error a response stream emitted, so its unawaited rejections do not end the process. */
export function noteStreamFailure(error: unknown): void {
  if (typeof error !== 'object' || error === null) return;
  noted.add(error);
  if (listening) return;
  listening = true;
  process.on('unhandledRejection', onUnhandledRejection);
}

function onUnhandledRejection(reason: unknown): void {
  if (typeof reason === 'object' && reason !== null && noted.has(reason)) return;
  if (process.listenerCount('unhandledRejection') === 1) throw reason;
}
