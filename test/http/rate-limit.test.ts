/** Per-agent rate limits: 429 rate_limited with Retry-After and details, separate budgets per agent, refill. */
import { describe, expect, it } from 'vitest';
import { AgentSpecError } from '../../shared/errors.js';
import { RateLimiter } from '../../shared/http/rate-limit.js';
import { echoScript, pipelineOf } from '../helpers/fake-runtime.js';
import { appWith, post } from './helpers.js';

describe('rate limit', () => {
  it('answers 429 with Retry-After once an agent used its per-minute allowance; other agents are unaffected', async () => {
    // Prepare
    const { app } = appWith({ agents: { a: echoScript, b: echoScript } }, { rateLimitPerMinute: 3 });
    // Act
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await app.request('/v1/agents/a/invoke', post({ message: 'hi' }))).status);
    const limited = await app.request('/v1/agents/a/stream', post({ message: 'hi' }));
    const other = await app.request('/v1/agents/b/invoke', post({ message: 'hi' }));
    // Assess
    expect(statuses).toEqual([200, 200, 200, 429]);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('20');
    expect(await limited.json()).toEqual({
      error: 'rate_limited',
      message: 'Too many requests; retry in 20 s.',
      details: { agent: 'a', limit_per_minute: 3, retry_after_s: 20 },
    });
    expect(other.status).toBe(200);
  });

  it('limits pipeline runs per pipeline', async () => {
    const { app } = appWith({ pipelines: [pipelineOf('p', [{ name: 's', agent: 'echo' }])] }, { rateLimitPerMinute: 1 });
    expect((await app.request('/v1/pipelines/p/run', post({ trigger: {} }))).status).toBe(200);
    const res = await app.request('/v1/pipelines/p/run', post({ trigger: {} }));
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('60');
  });

  it('refills continuously', () => {
    let now = 0;
    const limiter = new RateLimiter(60, () => now);
    for (let i = 0; i < 60; i++) limiter.take('k', {});
    expect(() => limiter.take('k', {})).toThrow(AgentSpecError);
    now += 1000;
    expect(() => limiter.take('k', {})).not.toThrow();
    expect(() => limiter.take('k', {})).toThrow(/retry in 1 s/);
  });
});
