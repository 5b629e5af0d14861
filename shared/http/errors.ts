/**
 * Error responses. Every error body the API sends is produced here from an
 * `AgentSpecError` (its `toJSON()` and `status`); anything else becomes
 * `internal_error` without internals.
 */
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { AgentSpecError, toAgentSpecError } from '../errors.js';
import { onNodeSocket } from './connection.js';

/** The contract's JSON error response for any thrown value. */
export function errorResponse(c: Context, thrown: unknown): Response {
  const error = toAgentSpecError(thrown);
  if (error.code === 'rate_limited' && typeof error.details.retry_after_s === 'number') {
    c.header('Retry-After', String(error.details.retry_after_s));
  }
  // The rest of an oversize body may be unread: the connection cannot carry another request.
  if (error.code === 'payload_too_large' && onNodeSocket(c.env)) c.header('Connection', 'close');
  return c.json(error.toJSON(), error.status as ContentfulStatusCode);
}

/** The body of an SSE `error` event. */
export function errorEventData(thrown: unknown): ReturnType<AgentSpecError['toJSON']> {
  return toAgentSpecError(thrown).toJSON();
}
