/** The wrong-key throttle on a fake clock: counting window, refusal time, the bounded table, clients by address. */
import { describe, expect, it } from 'vitest';
import { AuthThrottle, clientKey } from '../../shared/http/auth-throttle.js';

function throttle(options: { maxClients?: number } = {}) {
  const clock = { now: 0 };
  return { clock, throttle: new AuthThrottle({ maxFailures: 3, windowMs: 60_000, now: () => clock.now, ...options }) };
}

const refusal = (t: AuthThrottle, address: string) => {
  try {
    t.refuseIfThrottled(address);
    return undefined;
  } catch (error) {
    return error as { code: string; details: { retry_after_s: number } };
  }
};

describe('AuthThrottle', () => {
  it('refuses from the last allowed failure for one window, then forgets the client', () => {
    const { clock, throttle: t } = throttle();
    t.recordFailure('a');
    clock.now = 10_000;
    t.recordFailure('a');
    expect(refusal(t, 'a')).toBeUndefined();
    clock.now = 20_000;
    t.recordFailure('a');
    expect(refusal(t, 'a')).toMatchObject({ code: 'rate_limited', details: { retry_after_s: 60 } });
    clock.now = 79_999;
    expect(refusal(t, 'a')?.details.retry_after_s).toBe(1);
    clock.now = 80_000;
    expect(refusal(t, 'a')).toBeUndefined();
    expect(t.size).toBe(0);
  });

  it('counts failures within one window of the first only', () => {
    const { clock, throttle: t } = throttle();
    t.recordFailure('a');
    t.recordFailure('a');
    clock.now = 60_000;
    t.recordFailure('a');
    expect(refusal(t, 'a')).toBeUndefined();
  });

  it('holds at most maxClients, dropping expired entries first, then the oldest failure', () => {
    const { clock, throttle: t } = throttle({ maxClients: 3 });
    for (let i = 0; i < 3; i++) t.recordFailure('blocked');
    clock.now = 1000;
    t.recordFailure('old');
    t.recordFailure('newer');
    for (let i = 0; i < 1000; i++) t.recordFailure(`spray-${i}`);
    expect(t.size).toBe(3);

    // With nothing expired, the table keeps the latest failures: the blocked client, once the oldest, is gone.
    expect(refusal(t, 'blocked')).toBeUndefined();

    const { clock: later, throttle: u } = throttle({ maxClients: 2 });
    u.recordFailure('expired');
    later.now = 30_000;
    for (let i = 0; i < 3; i++) u.recordFailure('blocked');
    later.now = 61_000;
    u.recordFailure('fresh');
    expect(u.size).toBe(2);
    expect(refusal(u, 'blocked')).toMatchObject({ code: 'rate_limited' });
  });
});

describe('clientKey', () => {
  it('keeps IPv4, unwraps IPv4-mapped IPv6 and counts IPv6 by its /64', () => {
    expect(clientKey('203.0.113.7')).toBe('203.0.113.7');
    expect(clientKey('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(clientKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(clientKey('2001:0db8:0001:0002:ffff:ffff:ffff:ffff')).toBe('2001:db8:1:2::/64');
    expect(clientKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(clientKey('::1')).toBe('0:0:0:0::/64');
    expect(clientKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(clientKey(undefined)).toBe('unknown');
  });
});
