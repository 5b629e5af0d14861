/**
 * What a promise rejects with, for tests that assert on the error itself;
 * a promise that fulfils fails the test.
 */
import { expect } from 'vitest';
import { AgentSpecError } from '../../shared/errors.js';

/** The error `promise` rejects with. */
export async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

/** The `AgentSpecError` `promise` rejects with; any other rejection fails the test. */
export async function failureOf(promise: Promise<unknown>): Promise<AgentSpecError> {
  const error = await rejectionOf(promise);
  expect(error).toBeInstanceOf(AgentSpecError);
  return error as AgentSpecError;
}
