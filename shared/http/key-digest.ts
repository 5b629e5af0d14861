/** The form API keys are compared in: SHA-256 digests, so `timingSafeEqual` sees equal lengths whatever the key. */
import { createHash } from 'node:crypto';

/** A key's SHA-256 digest. */
export function keyDigest(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}
