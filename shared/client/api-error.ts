/**
 * An error answer of the HTTP API, as the typed client throws it: the HTTP
 * status, the API's error code (`not_found`, `rate_limited`, …), its message
 * and details, and the request id the server logged it under. The codes a
 * caller most often acts on have a subclass of their own, so
 * `error instanceof RateLimitedError` narrows to its `retryAfter`.
 */
import type { ErrorCode } from '../errors.js';

/** The API's error codes, plus `http_error` for an answer that is not the API's error shape (a proxy's 502 page). */
export type ApiErrorCode = ErrorCode | 'http_error';

export class AgentSpecApiError extends Error {
  override readonly name: string = 'AgentSpecApiError';

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
    readonly requestId?: string | undefined,
  ) {
    super(message);
  }

  /** The error a non-2xx response stands for, as the subclass of its code; a body that is not the API's error shape keeps its status and text. */
  static async fromResponse(response: Response): Promise<AgentSpecApiError> {
    const requestId = response.headers.get('x-request-id') ?? undefined;
    const text = await response.text().catch(() => '');
    try {
      const body = JSON.parse(text) as { error?: unknown; message?: unknown; details?: unknown };
      if (typeof body.error === 'string' && typeof body.message === 'string') {
        const details = typeof body.details === 'object' && body.details !== null ? (body.details as Record<string, unknown>) : {};
        return apiError(response.status, body.error, body.message, details, requestId, response.headers.get('retry-after'));
      }
    } catch {
      // not JSON: a proxy or load balancer answered
    }
    return new AgentSpecApiError(response.status, 'http_error', `HTTP ${response.status}${text ? `: ${text.slice(0, 200)}` : ''}`, {}, requestId);
  }
}

/** 400 `invalid_request`: `issues` lists each bad field with its path. */
export class InvalidRequestError extends AgentSpecApiError {
  override readonly name = 'InvalidRequestError';
  declare readonly code: 'invalid_request';
  get issues(): { path: string; message: string }[] {
    return Array.isArray(this.details.issues) ? (this.details.issues as { path: string; message: string }[]) : [];
  }
}

/** 401 `unauthorized`: no API key, or one the server does not know. */
export class UnauthorizedError extends AgentSpecApiError {
  override readonly name = 'UnauthorizedError';
  declare readonly code: 'unauthorized';
}

/** 403 `forbidden`: the user key may not reach this agent, pipeline or run. */
export class ForbiddenError extends AgentSpecApiError {
  override readonly name = 'ForbiddenError';
  declare readonly code: 'forbidden';
}

/** 404 `not_found`: no such agent, pipeline, session or run (or it expired). */
export class NotFoundError extends AgentSpecApiError {
  override readonly name = 'NotFoundError';
  declare readonly code: 'not_found';
}

/** 409 `conflict`: e.g. an approval already decided or expired (`details.status`), or a cancel of a finished run. */
export class ConflictError extends AgentSpecApiError {
  override readonly name = 'ConflictError';
  declare readonly code: 'conflict';
  /** `details.status` when the server gives it: `approved`, `rejected`, `expired`, or the run's final status */
  get conflictStatus(): string | undefined {
    return typeof this.details.status === 'string' ? this.details.status : undefined;
  }
}

/** 429 `rate_limited`: `retryAfter` is how many seconds to wait, when the server says. */
export class RateLimitedError extends AgentSpecApiError {
  override readonly name = 'RateLimitedError';
  declare readonly code: 'rate_limited';
  constructor(
    status: number,
    code: string,
    message: string,
    details: Record<string, unknown>,
    requestId: string | undefined,
    readonly retryAfter: number | undefined,
  ) {
    super(status, code, message, details, requestId);
  }
}

/** 408 `timeout`: the run took longer than the server's request timeout. */
export class RequestTimeoutError extends AgentSpecApiError {
  override readonly name = 'RequestTimeoutError';
  declare readonly code: 'timeout';
}

/** 503 `unavailable`: the server is starting, draining or missing a dependency. */
export class UnavailableError extends AgentSpecApiError {
  override readonly name = 'UnavailableError';
  declare readonly code: 'unavailable';
}

type Plain = new (status: number, code: string, message: string, details: Record<string, unknown>, requestId: string | undefined) => AgentSpecApiError;

const BY_CODE: Partial<Record<string, Plain>> = {
  invalid_request: InvalidRequestError,
  unauthorized: UnauthorizedError,
  forbidden: ForbiddenError,
  not_found: NotFoundError,
  conflict: ConflictError,
  timeout: RequestTimeoutError,
  unavailable: UnavailableError,
};

/** The error for an API error body: the subclass of its code, else the base class. */
export function apiError(
  status: number,
  code: string,
  message: string,
  details: Record<string, unknown> = {},
  requestId?: string | undefined,
  retryAfterHeader?: string | null | undefined,
): AgentSpecApiError {
  if (code === 'rate_limited') return new RateLimitedError(status, code, message, details, requestId, retryAfter(retryAfterHeader, details));
  const Class = BY_CODE[code] ?? AgentSpecApiError;
  return new Class(status, code, message, details, requestId);
}

function retryAfter(header: string | null | undefined, details: Record<string, unknown>): number | undefined {
  const seconds = header ? Number(header) : NaN;
  if (Number.isFinite(seconds)) return seconds;
  return typeof details.retry_after_s === 'number' ? details.retry_after_s : undefined;
}

/** Whether `error` is an API error, with this code when one is given. */
export function isApiError<C extends ApiErrorCode>(error: unknown, code?: C): error is AgentSpecApiError & { code: C } {
  return error instanceof AgentSpecApiError && (code === undefined || error.code === code);
}
