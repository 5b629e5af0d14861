/**
 * API-key authentication: `Authorization: Bearer <key>` or `X-API-Key`.
 * Keys are compared as SHA-256 digests with `timingSafeEqual`, against every
 * configured key without an early exit, so neither the key's length nor the
 * matching position leaks through timing.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { AgentSpecError, ErrorCode } from '../errors.js';

/** Keys from `AGENTSPEC_API_KEYS` (comma-separated, blanks ignored). */
export function apiKeysFromEnv(env: NodeJS.ProcessEnv = process.env): string[] {
  return (env.AGENTSPEC_API_KEYS ?? '')
    .split(',')
    .map((k) => k.trim())
    .filter((k) => k !== '');
}

/** A checker over a fixed key set; `enabled` is false when no key is configured. */
export class ApiKeyChecker {
  private readonly digests: Buffer[];

  constructor(keys: string[]) {
    this.digests = keys.map(digest);
  }

  get enabled(): boolean {
    return this.digests.length > 0;
  }

  /** True when `presented` equals one of the keys. */
  matches(presented: string): boolean {
    const candidate = digest(presented);
    let found = false;
    for (const d of this.digests) found = timingSafeEqual(d, candidate) || found;
    return found;
  }

  /** Throws `unauthorized` unless the request carries a valid key. */
  check(headers: Headers): void {
    if (!this.enabled) return;
    const presented = presentedKey(headers);
    if (presented === undefined) {
      throw new AgentSpecError(ErrorCode.Unauthorized, 'An API key is required: send "Authorization: Bearer <key>" or "X-API-Key: <key>".');
    }
    if (!this.matches(presented)) throw new AgentSpecError(ErrorCode.Unauthorized, 'The API key is not valid.');
  }
}

function presentedKey(headers: Headers): string | undefined {
  const authorization = headers.get('authorization');
  const bearer = authorization?.match(/^Bearer\s+(.+)$/i)?.[1]?.trim();
  if (bearer) return bearer;
  const header = headers.get('x-api-key')?.trim();
  return header ? header : undefined;
}

function digest(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}
