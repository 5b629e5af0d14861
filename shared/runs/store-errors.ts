/** The errors every `RunStore` throws the same way for a missing run and a lost compare-and-set. */
import { AgentSpecError, ErrorCode } from '../errors.js';

export function runNotFound(id: string, cause?: unknown): AgentSpecError {
  return new AgentSpecError(ErrorCode.NotFound, `Run "${id}" does not exist or has expired.`, { cause, details: { run_id: id } });
}

export function runExists(id: string, cause?: unknown): AgentSpecError {
  return new AgentSpecError(ErrorCode.Conflict, `Run "${id}" already exists.`, { cause, details: { run_id: id } });
}

export function runConflict(id: string, expectedVersion: number, found: number, cause?: unknown): AgentSpecError {
  return new AgentSpecError(ErrorCode.Conflict, `Run "${id}" was changed by another writer (expected version ${expectedVersion}, found ${found}).`, {
    cause,
    details: { run_id: id, expected_version: expectedVersion, version: found },
  });
}
