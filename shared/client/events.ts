/**
 * The events a run streams, as the client yields them: `{ type, data }` with
 * `type` the SSE event name and `data` its JSON, typed off the stream event
 * schemas of `/openapi.json` (`shared/http/schemas.ts`).
 */
import type { StreamEvent } from '../http/schemas.js';
import type { PendingApproval } from '../runs/types.js';

/** `{ type: T; data: D }` unless the schemas already describe event `T`. */
type Unlisted<T extends string, D> = T extends StreamEvent['type'] ? never : { type: T; data: D };

/** Every event of a run's stream: the first is `run`; the last is `done`, `error` or `waiting`. */
export type ClientEvent =
  | StreamEvent
  | Unlisted<'run', { run_id: string }>
  | Unlisted<'approval_required', PendingApproval>
  | Unlisted<'waiting', { run_id: string; approvals: PendingApproval[] }>;
