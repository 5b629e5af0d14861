/** Validating IR documents that come from files, S3 or HTTP before a runtime trusts them. */
import { AgentSpecError, ErrorCode } from '../errors.js';
import { prepareSchema, type PreparedSchema } from './json-schema-validator.js';
import { IR_SCHEMA } from './schema.js';
import type { IRDocument } from './types.js';

let prepared: PreparedSchema | undefined;

/** The schema errors of `value` as an IR document (empty when valid), e.g. `/resources/3/kind: Instance does not match any of [...]`. */
export function validateIR(value: unknown): { valid: boolean; errors: string[] } {
  const errors = (prepared ??= prepareSchema(IR_SCHEMA)).violations(value);
  return { valid: errors.length === 0, errors };
}

/** Checks that `json` is a valid IR document and returns it typed; throws `invalid_request` listing the schema errors. */
export function loadIR(json: unknown): IRDocument {
  const { valid, errors } = validateIR(json);
  if (!valid) {
    throw new AgentSpecError(
      ErrorCode.InvalidRequest,
      `Invalid IR document: ${errors.slice(0, 5).join('; ')}${errors.length > 5 ? ` (and ${errors.length - 5} more)` : ''}.`,
      {
        details: { errors },
      },
    );
  }
  return json as IRDocument;
}
