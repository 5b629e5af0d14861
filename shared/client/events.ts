/**
 * The events a run streams, as the client yields them: `{ type, data }` with
 * `type` the SSE event name and `data` its JSON, typed off the stream event
 * schemas of `/openapi.json` (`shared/http/schemas.ts`): first `run`, then
 * `text`, `tool_call_start`, `tool_call_end`, `approval_required`, and last
 * `done`, `error` or `waiting`.
 */
export type { StreamEvent as ClientEvent } from '../http/schemas.js';
