/**
 * The one error type of the project. Every failure that crosses a module
 * boundary is an `AgentSpecError` with a code from {@link ErrorCode}; HTTP
 * responses are produced only from it (see `toErrorBody`).
 */

/** Error codes, grouped by area. Values are the wire strings of the API contract. */
export const ErrorCode = {
  // API contract (docs/http-api.md)
  InvalidRequest: 'invalid_request',
  Unauthorized: 'unauthorized',
  Forbidden: 'forbidden',
  NotFound: 'not_found',
  Timeout: 'timeout',
  PayloadTooLarge: 'payload_too_large',
  UnsupportedMediaType: 'unsupported_media_type',
  RateLimited: 'rate_limited',
  BudgetExceeded: 'budget_exceeded',
  InternalError: 'internal_error',
  UpstreamError: 'upstream_error',
  Unavailable: 'unavailable',
  // agent loop
  MaxTurnsExceeded: 'max_turns_exceeded',
  ValidationFailed: 'validation_failed',
  Cancelled: 'cancelled',
  // tools
  ToolError: 'tool_error',
  // language toolchain
  SyntaxError: 'syntax_error',
  ValidationError: 'validation_error',
  InputError: 'input_error',
  // sessions
  Conflict: 'conflict',
  // configuration / deploy
  ConfigError: 'config_error',
  DeployError: 'deploy_error',
  LockHeld: 'lock_held',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

const HTTP_STATUS: Record<ErrorCode, number> = {
  invalid_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  timeout: 408,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  budget_exceeded: 422,
  internal_error: 500,
  upstream_error: 502,
  unavailable: 503,
  max_turns_exceeded: 422,
  validation_failed: 422,
  cancelled: 499,
  tool_error: 502,
  syntax_error: 400,
  validation_error: 400,
  input_error: 400,
  conflict: 409,
  config_error: 500,
  deploy_error: 500,
  lock_held: 409,
};

export interface AgentSpecErrorOptions {
  cause?: unknown;
  details?: Record<string, unknown>;
}

/** A failure with a code, a human message, an optional cause and machine-readable details. */
export class AgentSpecError extends Error {
  override readonly name = 'AgentSpecError';
  readonly code: ErrorCode;
  readonly details: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options: AgentSpecErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details ?? {};
  }

  /** HTTP status of this error's code. */
  get status(): number {
    return HTTP_STATUS[this.code];
  }

  /** The contract's JSON error body: `{error, message, details}`. */
  toJSON(): { error: ErrorCode; message: string; details: Record<string, unknown> } {
    return { error: this.code, message: this.message, details: this.details };
  }
}

/** HTTP status for a code. */
export function httpStatusOf(code: ErrorCode): number {
  return HTTP_STATUS[code];
}

/** True for an `AgentSpecError`, optionally of one code. */
export function isAgentSpecError(value: unknown, code?: ErrorCode): value is AgentSpecError {
  return value instanceof AgentSpecError && (code === undefined || value.code === code);
}

/**
 * Wraps anything thrown into an `AgentSpecError`, keeping the original as `cause`.
 * Unknown failures become `internal_error` with a generic message, so that no
 * internal detail (or secret) leaks through an error message.
 */
export function toAgentSpecError(value: unknown, fallback: ErrorCode = ErrorCode.InternalError): AgentSpecError {
  if (value instanceof AgentSpecError) return value;
  if (value instanceof Error && value.name === 'AbortError') {
    return new AgentSpecError(ErrorCode.Cancelled, 'The operation was cancelled.', { cause: value });
  }
  const message = fallback === ErrorCode.InternalError ? 'An internal error occurred.' : value instanceof Error ? value.message : String(value);
  return new AgentSpecError(fallback, message, { cause: value });
}
