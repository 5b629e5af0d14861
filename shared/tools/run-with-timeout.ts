/**
 * Runs an executor under the tool's own timeout combined with the
 * invocation's signal. The executor sees one signal that aborts on either;
 * the caller gets an answer as soon as it aborts, even from an executor that
 * ignores its signal.
 */
import { AgentSpecError, ErrorCode } from '../errors.js';
import type { ToolContext, ToolExecutor } from './types.js';

/** The executor's output, or a `timeout` / `cancelled` AgentSpecError. */
export async function runWithTimeout(executor: ToolExecutor, input: unknown, ctx: ToolContext, label: string, timeoutMs: number): Promise<unknown> {
  const controller = new AbortController();
  const cancel = () => controller.abort(new AgentSpecError(ErrorCode.Cancelled, `${label} was cancelled because the invocation ended.`));
  if (ctx.signal.aborted) cancel();
  else ctx.signal.addEventListener('abort', cancel, { once: true });
  const timer = setTimeout(
    () =>
      controller.abort(
        new AgentSpecError(ErrorCode.Timeout, `${label} timed out after ${formatMs(timeoutMs)}; the tool's timeout may be raised in the package.`),
      ),
    timeoutMs,
  );
  let stop: () => void = () => {};
  const aborted = new Promise<never>((_resolve, reject) => {
    const onAbort = () => reject(controller.signal.reason);
    if (controller.signal.aborted) onAbort();
    else controller.signal.addEventListener('abort', onAbort, { once: true });
    stop = () => controller.signal.removeEventListener('abort', onAbort);
  });
  try {
    const running = Promise.resolve().then(() => executor.execute(input, { ...ctx, signal: controller.signal }));
    running.catch(() => {}); // after an abort its own rejection is of no interest
    return await Promise.race([running, aborted]);
  } catch (error) {
    // an executor's abort error says less than the reason we aborted with
    throw controller.signal.aborted ? controller.signal.reason : error;
  } finally {
    clearTimeout(timer);
    stop();
    ctx.signal.removeEventListener('abort', cancel);
  }
}

function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}
