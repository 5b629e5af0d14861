/**
 * `agentspec-runtime/client`: the typed client of the HTTP API, for Node,
 * browsers and edge runtimes (docs/client.md).
 */
export { AgentSpecClient } from './client.js';
export type {
  AgentSummary,
  CallOptions,
  ClientOptions,
  CreateSessionInput,
  Health,
  InvokeInput,
  InvokeResponse,
  PipelineResult,
  PipelineRunInput,
  PipelineSummary,
  Session,
  SessionCreated,
  SessionMessageInput,
  StreamEvent,
} from './client.js';
export { AgentSpecApiError } from './api-error.js';
