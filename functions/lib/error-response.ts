/** The API contract's JSON error body for a failure outside the Hono app (initialisation). */
import { toAgentSpecError } from '../../shared/errors.js';

export function errorResponse(error: unknown): Response {
  const known = toAgentSpecError(error);
  return new Response(JSON.stringify(known.toJSON()), { status: known.status, headers: { 'content-type': 'application/json' } });
}

/** The same as a Lambda proxy result (API Gateway v2 / Function URL buffered). */
export function errorResult(error: unknown): { statusCode: number; headers: Record<string, string>; body: string } {
  const known = toAgentSpecError(error);
  return { statusCode: known.status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(known.toJSON()) };
}
