/** What the route modules share: the current runtime and the app's settings. */
import type { AgentRuntime } from '../loop/types.js';
import type { Logger } from '../telemetry/logger.js';
import type { Telemetry } from '../telemetry/telemetry.js';
import type { RateLimiter } from './rate-limit.js';

export interface AppEnv {
  Variables: { requestId: string };
}

export interface RouteContext {
  runtime: () => AgentRuntime;
  limiter?: RateLimiter;
  bodyLimitBytes: number;
  telemetry: Telemetry;
  logger: Logger;
  requestTimeoutMs?: number;
  version: string;
  startedAt: number;
}
