/**
 * Throttles clients that keep presenting wrong API keys. After `maxFailures`
 * wrong keys from one client within `windowMs` of its first, the client is
 * refused with `rate_limited` for `windowMs` from the last of them, before
 * its key is looked at, so a throttled client learns nothing from further
 * guesses (a correct key is refused too). Requests without a key are not
 * counted: they guess nothing.
 *
 * A client is its address; an IPv6 address counts by its /64, which one host
 * commonly holds whole. The table is bounded: at `maxClients` entries, expired
 * ones go first, then the one whose last failure is oldest. In-process, like
 * the rate limiter.
 */
import { AgentSpecError, ErrorCode } from '../errors.js';

export interface AuthThrottleOptions {
  maxFailures?: number;
  windowMs?: number;
  maxClients?: number;
  now?: () => number;
}

/** The defaults: 10 wrong keys a minute, a minute's refusal, 10 000 clients tracked. */
export const AUTH_THROTTLE_DEFAULTS = { maxFailures: 10, windowMs: 60_000, maxClients: 10_000 } as const;

interface Entry {
  failures: number;
  /** when the count (or the refusal) ends */
  until: number;
}

export class AuthThrottle {
  private readonly entries = new Map<string, Entry>();
  private readonly maxFailures: number;
  private readonly windowMs: number;
  private readonly maxClients: number;
  private readonly now: () => number;

  constructor(options: AuthThrottleOptions = {}) {
    this.maxFailures = options.maxFailures ?? AUTH_THROTTLE_DEFAULTS.maxFailures;
    this.windowMs = options.windowMs ?? AUTH_THROTTLE_DEFAULTS.windowMs;
    this.maxClients = options.maxClients ?? AUTH_THROTTLE_DEFAULTS.maxClients;
    this.now = options.now ?? Date.now;
  }

  /** How many clients the table holds. */
  get size(): number {
    return this.entries.size;
  }

  /** Throws `rate_limited` (with `details.retry_after_s`) while `address` is throttled. */
  refuseIfThrottled(address: string | undefined): void {
    const now = this.now();
    const entry = this.live(clientKey(address), now);
    if (!entry || entry.failures < this.maxFailures) return;
    const retryAfter = Math.max(1, Math.ceil((entry.until - now) / 1000));
    throw new AgentSpecError(ErrorCode.RateLimited, `Too many wrong API keys from this client; retry in ${retryAfter} s.`, {
      details: { max_failures: this.maxFailures, window_s: this.windowMs / 1000, retry_after_s: retryAfter },
    });
  }

  /** Counts one wrong key from `address`. */
  recordFailure(address: string | undefined): void {
    const now = this.now();
    const key = clientKey(address);
    const entry = this.live(key, now) ?? { failures: 0, until: now + this.windowMs };
    entry.failures += 1;
    if (entry.failures >= this.maxFailures) entry.until = now + this.windowMs;
    // Re-inserted, so the map's order is the order of last failures and the first entry is the one to evict.
    this.entries.delete(key);
    if (this.entries.size >= this.maxClients) this.evict(now);
    this.entries.set(key, entry);
  }

  private live(key: string, now: number): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry && entry.until <= now) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  private evict(now: number): void {
    for (const [key, entry] of this.entries) {
      const expired = entry.until <= now;
      if (!expired && this.entries.size < this.maxClients) return;
      this.entries.delete(key);
      if (!expired) return;
    }
  }
}

/** The throttled unit for an address: IPv4 (also IPv4-mapped) as is, IPv6 by its /64. */
export function clientKey(address: string | undefined): string {
  if (address === undefined || address === '') return 'unknown';
  const plain = address.toLowerCase().replace(/%.*$/, '');
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(plain);
  if (mapped) return mapped[1]!;
  if (!plain.includes(':')) return plain;
  const [head = '', tail] = plain.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = tail === undefined ? left : [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}
