/**
 * Per-key token-bucket rate limiting (a key is an agent or a pipeline). The
 * bucket holds up to `perMinute` requests and refills continuously, so a burst
 * of a minute's allowance is accepted and then requests flow at the steady
 * rate. In-process: each replica or Lambda instance limits on its own.
 */
import { AgentSpecError, ErrorCode } from '../errors.js';

interface Bucket {
  tokens: number;
  updated: number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly perMs: number;

  constructor(
    readonly perMinute: number,
    private readonly now: () => number = Date.now,
  ) {
    this.perMs = perMinute / 60_000;
  }

  /** Takes one request from `key`'s bucket or throws `rate_limited` with the wait in `details.retry_after_s`. */
  take(key: string, label: Record<string, string>): void {
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: this.perMinute, updated: now };
    bucket.tokens = Math.min(this.perMinute, bucket.tokens + (now - bucket.updated) * this.perMs);
    bucket.updated = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return;
    }
    const retryAfter = Math.max(1, Math.ceil((1 - bucket.tokens) / this.perMs / 1000));
    throw new AgentSpecError(ErrorCode.RateLimited, `Too many requests; retry in ${retryAfter} s.`, {
      details: { ...label, limit_per_minute: this.perMinute, retry_after_s: retryAfter },
    });
  }
}
