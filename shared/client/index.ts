/**
 * `agentspec-runtime/client`: the typed client of the HTTP API, for Node,
 * browsers and edge runtimes (docs/client.md).
 */
export { AgentSpecClient } from './client.js';
export type {
  AgentSummary,
  ApproveInput,
  CallOptions,
  ClientEvent,
  ClientOptions,
  CreateSessionInput,
  Health,
  InvokeInput,
  InvokeResponse,
  PipelineResult,
  PipelineRunInput,
  PipelineSummary,
  RejectInput,
  Session,
  SessionCreated,
  SessionMessageInput,
  StreamEvent,
} from './client.js';
export { RunStream, type ResumeOptions } from './run-stream.js';
export type { PendingApproval, RunAccepted, RunError, RunInfo, RunKind, RunStatus } from './run-types.js';
export {
  AgentSpecApiError,
  ConflictError,
  ForbiddenError,
  InvalidRequestError,
  NotFoundError,
  RateLimitedError,
  RequestTimeoutError,
  UnauthorizedError,
  UnavailableError,
  isApiError,
  type ApiErrorCode,
} from './api-error.js';
export { AgentSpecConnectionError } from './connection-error.js';
export { RunWaitingError } from './waiting-error.js';
