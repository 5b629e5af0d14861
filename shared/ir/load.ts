/** Validating IR documents that come from files, S3 or HTTP before a runtime trusts them. */
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import { AgentSpecError, ErrorCode } from '../errors.js';
import { IR_SCHEMA } from './schema.js';
import type { IRDocument } from './types.js';

let validator: ValidateFunction | undefined;

function compiled(): ValidateFunction {
  if (!validator) {
    const ajv = new Ajv2020({ allErrors: true, discriminator: true, strict: false });
    validator = ajv.compile(IR_SCHEMA);
  }
  return validator;
}

/** The schema errors of `value` as an IR document (empty when valid). */
export function validateIR(value: unknown): { valid: boolean; errors: string[] } {
  const validate = compiled();
  const valid = validate(value) === true;
  return { valid, errors: valid ? [] : (validate.errors ?? []).map(formatError) };
}

function formatError(e: ErrorObject): string {
  return `${e.instancePath || '/'} ${e.message ?? 'is invalid'}${e.keyword === 'additionalProperties' ? ` (${String(e.params.additionalProperty)})` : ''}`;
}

/** Checks that `json` is a valid IR document and returns it typed; throws `invalid_request` listing the schema errors. */
export function loadIR(json: unknown): IRDocument {
  const { valid, errors } = validateIR(json);
  if (!valid) {
    throw new AgentSpecError(ErrorCode.InvalidRequest, `Invalid IR document: ${errors.slice(0, 5).join('; ')}${errors.length > 5 ? ` (and ${errors.length - 5} more)` : ''}.`, {
      details: { errors },
    });
  }
  return json as IRDocument;
}
