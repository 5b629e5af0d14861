/**
 * Fingerprints of what a deployer applies, so `plan` can tell unchanged from
 * update without storing the applied material. Secret VALUES are never
 * fingerprinted (a hash of a short secret can be brute-forced); only their
 * names and env var mapping are, so rotating a secret's value needs
 * `apply` of a changed package or `destroy` + `apply`.
 */
import { createHash } from 'node:crypto';
import type { IRDeploy } from '../../shared/ir/types.js';

/** SHA-256 (hex) over the canonical JSON of a value (object keys sorted). */
export function fingerprint(value: unknown): string {
  return createHash('sha256').update(canonical(value)).digest('hex');
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** The deploy block without the parts that do not change what runs (`default`). */
export function deploySettings(deploy: IRDeploy): Record<string, unknown> {
  const { default: _default, ...rest } = deploy.attributes;
  return rest;
}
