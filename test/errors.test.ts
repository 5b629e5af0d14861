import { describe, expect, it } from 'vitest';
import { AgentSpecError, ErrorCode, toAgentSpecError } from '../shared/errors.js';

describe('AgentSpecError', () => {
  it('renders the contract error body and maps its code to an HTTP status', () => {
    const error = new AgentSpecError(ErrorCode.RateLimited, 'Slow down.', { details: { retry_after: 3 } });
    expect(error.status).toBe(429);
    expect(error.toJSON()).toEqual({ error: 'rate_limited', message: 'Slow down.', details: { retry_after: 3 } });
  });

  it('hides the message of an unknown failure behind internal_error but keeps it as cause', () => {
    const cause = new Error('db password is hunter2');
    const wrapped = toAgentSpecError(cause);
    expect(wrapped.code).toBe('internal_error');
    expect(wrapped.message).not.toContain('hunter2');
    expect(wrapped.cause).toBe(cause);
  });
});
