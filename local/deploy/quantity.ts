/** Kubernetes-style resource quantities, for the Docker limits. */
import { AgentSpecError, ErrorCode } from '../../shared/errors.js';

const BYTE_UNITS: Record<string, number> = { '': 1, K: 1e3, M: 1e6, G: 1e9, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3 };

/** `500m` → 0.5, `2` → 2 (CPUs). */
export function parseCpu(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(m?)$/.exec(text.trim());
  if (!match) throw new AgentSpecError(ErrorCode.ConfigError, `cpu "${text}" is not a quantity like 500m or 2.`);
  return match[2] === 'm' ? Number(match[1]) / 1000 : Number(match[1]);
}

/** `512Mi` → 536870912 bytes. */
export function parseMemory(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|K|M|G|)$/.exec(text.trim());
  if (!match) throw new AgentSpecError(ErrorCode.ConfigError, `memory "${text}" is not a quantity like 512Mi or 1Gi.`);
  return Math.round(Number(match[1]) * (BYTE_UNITS[match[2] ?? ''] ?? 1));
}
