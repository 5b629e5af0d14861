/**
 * A stream the client could not finish: the connection dropped and the
 * bounded reconnects to the run's event log failed too (or the run id was
 * never learnt, so there was nothing to reconnect to). It carries where the
 * stream stopped, so a caller can go on later with `runEvents`.
 */
export class AgentSpecConnectionError extends Error {
  override readonly name = 'AgentSpecConnectionError';

  constructor(
    message: string,
    /** the run, when its id was learnt (header `X-Run-Id` or the first event) */
    readonly runId: string | undefined,
    /** the id of the last event delivered; `runEvents(runId, { after: lastEventId })` goes on from there */
    readonly lastEventId: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
