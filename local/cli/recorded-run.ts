/**
 * One `agentspec run` recorded in a run store (the servers' Redis), as the
 * HTTP app records a request: a run record and its event log, driven by the
 * shared recorder. The command reads the run's events back from the log (so
 * the terminal shows what a server would replay), or its result.
 */
import { AgentSpecError, ErrorCode } from '../../shared/errors.js';
import type { AgentRuntime, InvokeRequest, RunEvent } from '../../shared/loop/types.js';
import { ActiveRuns } from '../../shared/runs/active-runs.js';
import { startRun } from '../../shared/runs/drive-run.js';
import type { RunStore } from '../../shared/runs/types.js';
import type { Logger } from '../../shared/telemetry/logger.js';

export interface RecordedRun {
  id: string;
  /** the logged events after the opening `run`, live until the run ends or pauses */
  events: AsyncIterable<RunEvent>;
  /** the invoke result once the run succeeded; throws its error otherwise */
  result(): Promise<unknown>;
}

/** Starts `agent` on `request` as a run of kind `kind`; the request's signal cancels it. */
export async function recordedRun(
  host: { runs: RunStore; logger: Logger },
  runtime: AgentRuntime,
  agent: string,
  request: InvokeRequest,
  kind: 'invoke' | 'stream',
): Promise<RecordedRun> {
  const driven = await startRun(
    { runs: host.runs, active: new ActiveRuns(), logger: host.logger },
    { kind, target: agent, session_id: request.sessionId },
    (signal) => runtime.stream(agent, { ...request, signal }),
  );
  request.signal?.addEventListener('abort', () => driven.disconnect(request.signal?.reason), { once: true });
  return {
    id: driven.id,
    events: (async function* () {
      for await (const logged of driven.follow(0, undefined, true)) if (logged.type !== 'run') yield { type: logged.type, data: logged.data } as RunEvent;
    })(),
    result: async () => {
      const run = await driven.done;
      if (run.status === 'succeeded') return run.result;
      if (run.status === 'waiting') return { run_id: run.id, status: run.status, approvals: run.pending_approvals ?? [] };
      const error = run.error ?? { error: ErrorCode.InternalError, message: `The run ended ${run.status}.` };
      throw new AgentSpecError(error.error, error.message, { details: error.details ?? {} });
    },
  };
}
