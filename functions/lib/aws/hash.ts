/** Hex SHA-256, without pulling in the S3 client. */
import { createHash } from 'node:crypto';

/** Hex SHA-256 of a string's UTF-8 bytes. */
export function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
