/** Waiting for a runtime's health endpoint, shared by the deployers. */
import { setTimeout as sleep } from 'node:timers/promises';
import { AgentSpecError, ErrorCode } from '../../shared/errors.js';

/** One GET of the health URL: true on a 2xx within `timeoutMs`. */
export async function probeHealth(url: string, timeoutMs = 2000): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    await response.body?.cancel();
    return response.ok;
  } catch {
    return false;
  }
}

export interface WaitHealthyOptions {
  timeoutMs: number;
  intervalMs?: number;
  signal?: AbortSignal | undefined;
  /** checked between probes; a reason string stops the wait (e.g. the process exited) */
  failed?: () => Promise<string | undefined> | string | undefined;
}

/** Polls until the URL is healthy; throws `deploy_error` with the reason or on timeout. */
export async function waitHealthy(url: string, options: WaitHealthyOptions): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    if (await probeHealth(url)) return;
    const reason = await options.failed?.();
    if (reason) throw new AgentSpecError(ErrorCode.DeployError, reason, { details: { url } });
    if (options.signal?.aborted) throw new AgentSpecError(ErrorCode.Cancelled, `Stopped waiting for ${url}.`);
    if (Date.now() > deadline) {
      throw new AgentSpecError(ErrorCode.DeployError, `The runtime did not become healthy at ${url} within ${Math.round(options.timeoutMs / 1000)} s.`, {
        details: { url },
      });
    }
    await sleep(options.intervalMs ?? 100);
  }
}
