/**
 * An error answer of the HTTP API, as the typed client throws it: the HTTP
 * status, the API's error code (`not_found`, `rate_limited`, …), its message
 * and details, and the request id the server logged it under.
 */
export class AgentSpecApiError extends Error {
  override readonly name = 'AgentSpecApiError';

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
    readonly requestId?: string | undefined,
  ) {
    super(message);
  }

  /** The error a non-2xx response stands for; a body that is not the API's error shape keeps its status and text. */
  static async fromResponse(response: Response): Promise<AgentSpecApiError> {
    const requestId = response.headers.get('x-request-id') ?? undefined;
    const text = await response.text().catch(() => '');
    try {
      const body = JSON.parse(text) as { error?: unknown; message?: unknown; details?: unknown };
      if (typeof body.error === 'string' && typeof body.message === 'string') {
        const details = typeof body.details === 'object' && body.details !== null ? (body.details as Record<string, unknown>) : {};
        return new AgentSpecApiError(response.status, body.error, body.message, details, requestId);
      }
    } catch {
      // not JSON: a proxy or load balancer answered
    }
    return new AgentSpecApiError(response.status, 'http_error', `HTTP ${response.status}${text ? `: ${text.slice(0, 200)}` : ''}`, {}, requestId);
  }
}
