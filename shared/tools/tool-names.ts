/**
 * Tool names the Messages API accepts: `^[a-zA-Z0-9_-]{1,64}$`. Client tools
 * are named `<server>__<tool>`; names that break the rule are rewritten, and
 * long ones are cut with a short hash so distinct tools stay distinct.
 */
import { createHash } from 'node:crypto';

export const TOOL_NAME_PATTERN = /^[a-zA-Z0-9_-]{1,64}$/;
const MAX_LENGTH = 64;

/** A valid tool name for `raw`: invalid characters become `_`, over-long names end with a hash of the original. */
export function toToolName(raw: string): string {
  if (TOOL_NAME_PATTERN.test(raw)) return raw;
  const cleaned = raw.replace(/[^a-zA-Z0-9_-]/g, '_') || 'tool';
  if (cleaned.length <= MAX_LENGTH && cleaned === raw) return cleaned;
  const hash = createHash('sha256').update(raw).digest('hex').slice(0, 8);
  return cleaned.length <= MAX_LENGTH - 9 ? `${cleaned}_${hash}` : `${cleaned.slice(0, MAX_LENGTH - 9)}_${hash}`;
}

/** The name under which a tool of an MCP server is offered to agents. */
export function clientToolName(server: string, tool: string): string {
  return toToolName(`${server}__${tool}`);
}
