/**
 * API-key authentication: `Authorization: Bearer <key>` (the scheme in any
 * case, RFC 7235) or `X-API-Key`. Keys are compared as SHA-256 digests with
 * `timingSafeEqual`, against every configured key without an early exit, so
 * neither the key's length nor the matching position leaks through timing.
 * A server told to use keys never turns authentication off: an empty key list
 * accepts no key. The package's user keys (user-keys.ts) are accepted beside
 * them and identify their user.
 */
import { timingSafeEqual } from 'node:crypto';
import { AgentSpecError, ErrorCode } from '../errors.js';
import { AuthThrottle } from './auth-throttle.js';
import { keyDigest } from './key-digest.js';
import type { UserIdentity, UserKeys } from './user-keys.js';

/**
 * Keys from `AGENTSPEC_API_KEYS` (comma-separated, blanks ignored);
 * `undefined` when the variable is unset. Set but naming no key (`""`, `","`)
 * it is an empty list: keys are required and none is accepted.
 */
export function apiKeysFromEnv(env: NodeJS.ProcessEnv = process.env): string[] | undefined {
  const value = env.AGENTSPEC_API_KEYS;
  if (value === undefined) return undefined;
  return value
    .split(',')
    .map((k) => k.trim())
    .filter((k) => k !== '');
}

/** A checker over a fixed key set, with a throttle for clients that keep sending wrong keys. */
export class ApiKeyChecker {
  private readonly digests: Buffer[];

  constructor(
    keys: readonly string[],
    private readonly throttle = new AuthThrottle(),
    private readonly users?: UserKeys,
  ) {
    this.digests = keys.map(keyDigest);
  }

  /** True when `presented` equals one of the keys. */
  matches(presented: string): boolean {
    const candidate = keyDigest(presented);
    let found = false;
    for (const d of this.digests) found = timingSafeEqual(d, candidate) || found;
    return found;
  }

  /**
   * Throws `rate_limited` while `client` (its address) is throttled for wrong
   * keys, else `unauthorized` unless the request carries a valid key. Returns
   * the user of a user key; undefined for a deploy key.
   */
  check(headers: Headers, client?: string): UserIdentity | undefined {
    this.throttle.refuseIfThrottled(client);
    const presented = presentedKey(headers);
    if (presented === undefined) {
      throw new AgentSpecError(ErrorCode.Unauthorized, 'An API key is required: send "Authorization: Bearer <key>" or "X-API-Key: <key>".');
    }
    const user = this.users?.match(presented);
    if (user) return user;
    if (!this.matches(presented)) {
      this.throttle.recordFailure(client);
      throw new AgentSpecError(ErrorCode.Unauthorized, 'The API key is not valid.');
    }
    return undefined;
  }
}

function presentedKey(headers: Headers): string | undefined {
  const authorization = headers.get('authorization');
  const bearer = authorization?.match(/^Bearer\s+(.+)$/i)?.[1]?.trim();
  if (bearer) return bearer;
  const header = headers.get('x-api-key')?.trim();
  return header ? header : undefined;
}
