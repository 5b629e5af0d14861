/**
 * The run routes' answers as the client returns them, read off the response
 * schemas of `/openapi.json` (`shared/http/schemas.ts`): a run
 * (`GET /v1/runs/{id}`, `POST /v1/runs/{id}/cancel`), a run started detached
 * or paused, and a pending approval.
 */
import type { ResponseBody } from '../http/schemas.js';

/** Where a run stands: status, result or error, the approvals it waits on, the id of its last logged event. */
export type RunInfo = ResponseBody<'Run'>;
export type RunStatus = RunInfo['status'];
export type RunKind = RunInfo['kind'];
export type RunError = ResponseBody<'Error'>;
/** A run started with `detach: true` (`running`), or one that paused for approvals (`waiting`). */
export type RunAccepted = ResponseBody<'RunAccepted'>;
/** A tool call waiting for a person's decision. */
export type PendingApproval = ResponseBody<'PendingApproval'>;
