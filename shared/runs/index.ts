/**
 * Durable runs: the run record, its event log and the `RunStore` contract,
 * the in-memory store and the limits every store applies. The stores with a
 * server behind them live with their target: Redis in `local/runs/`, DynamoDB
 * in `functions/lib/runs/`.
 */
export * from './types.js';
export { DEFAULT_MAX_RUNS, MemoryRunStore, type MemoryRunStoreOptions } from './memory-run-store.js';
export { DEFAULT_MAX_RUN_BYTES, DEFAULT_MAX_RUN_EVENTS, DEFAULT_RUN_TTL_SECONDS, expiryOf, type RunStoreLimits } from './store-limits.js';
export { ActiveRuns } from './active-runs.js';
export { driveRun, startRun, type DriveOptions, type DrivenRun, type NewRun, type RunHost } from './drive-run.js';
export { followLog } from './follow-log.js';
export { RunRecorder, type RecorderOptions } from './recorder.js';
export { endsStretch, type RecordedEvent } from './run-events.js';
