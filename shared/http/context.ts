/** What the route modules share: the current runtime, the run store and the app's settings. */
import type { AgentRuntime } from '../loop/types.js';
import type { ActiveRuns } from '../runs/active-runs.js';
import type { RunStore } from '../runs/types.js';
import type { Logger } from '../telemetry/logger.js';
import type { Telemetry } from '../telemetry/telemetry.js';
import type { RateLimiter } from './rate-limit.js';
import type { UserIdentity } from './user-keys.js';

export interface AppEnv {
  /** `user`: the user of a user key (user-keys.ts); absent for a deploy key or no authentication */
  Variables: { requestId: string; user?: UserIdentity | undefined };
}

export interface RouteContext {
  runtime: () => AgentRuntime;
  /** where runs and their logs are kept */
  runs: RunStore;
  /** the runs this instance is driving */
  active: ActiveRuns;
  limiter?: RateLimiter;
  bodyLimitBytes: number;
  telemetry: Telemetry;
  logger: Logger;
  requestTimeoutMs?: number;
  version: string;
  startedAt: number;
}
