/**
 * The types read off the response schemas (what the typed client returns) are
 * the types the runtime produces: a schema that drifts from `InvokeResult`,
 * `PipelineResult`, `AgentInfo`, `TokenUsage` or a streamed event fails the
 * type-check (`tsc` runs on the tests in `npm test`). The runtime's `error`
 * code is the `ErrorCode` enum; over the wire it is a string.
 */
import { describe, expectTypeOf, it } from 'vitest';
import type { ResponseBody, StreamEvent } from '../../shared/http/schemas.js';
import type { AgentInfo, InvokeResult, RunEvent, TokenUsage, ToolCallRecord } from '../../shared/loop/types.js';
import type { PipelineResult } from '../../shared/pipeline/types.js';

/** `RunEvent` as JSON carries it: enum codes become strings. */
type Wire<E> = E extends { type: 'error'; data: infer D } ? { type: 'error'; data: { [K in keyof D]: K extends 'error' ? string : D[K] } } : E;

describe('response types come from the response schemas', () => {
  it('match the runtime types', () => {
    expectTypeOf<ResponseBody<'InvokeResponse'>>().toEqualTypeOf<InvokeResult>();
    expectTypeOf<ResponseBody<'ToolCall'>>().toEqualTypeOf<ToolCallRecord>();
    expectTypeOf<ResponseBody<'TokenUsage'>>().toEqualTypeOf<TokenUsage>();
    expectTypeOf<ResponseBody<'PipelineResult'>>().toEqualTypeOf<PipelineResult>();
    expectTypeOf<ResponseBody<'Agents'>['agents'][number]>().toEqualTypeOf<AgentInfo>();
  });

  it('match the streamed events', () => {
    // the run's id opens every stream; `waiting` is sent without the run's checkpoint
    type Names = RunEvent['type'] | 'run';
    expectTypeOf<StreamEvent['type']>().toEqualTypeOf<Names>();
    expectTypeOf<Extract<StreamEvent, { type: 'text' }>>().toEqualTypeOf<Wire<Extract<RunEvent, { type: 'text' }>>>();
    expectTypeOf<Extract<StreamEvent, { type: 'tool_call_start' }>>().toEqualTypeOf<Wire<Extract<RunEvent, { type: 'tool_call_start' }>>>();
    expectTypeOf<Extract<StreamEvent, { type: 'tool_call_end' }>>().toEqualTypeOf<Wire<Extract<RunEvent, { type: 'tool_call_end' }>>>();
    expectTypeOf<Extract<StreamEvent, { type: 'error' }>>().toEqualTypeOf<Wire<Extract<RunEvent, { type: 'error' }>>>();
    expectTypeOf<Extract<StreamEvent, { type: 'done' }>>().toEqualTypeOf<Wire<Extract<RunEvent, { type: 'done' }>>>();
    expectTypeOf<Extract<StreamEvent, { type: 'approval_required' }>>().toEqualTypeOf<Extract<RunEvent, { type: 'approval_required' }>>();
    expectTypeOf<Extract<StreamEvent, { type: 'waiting' }>['data']>().toEqualTypeOf<{
      run_id: string;
      approvals: Extract<RunEvent, { type: 'waiting' }>['data']['approvals'];
    }>();
    expectTypeOf<Extract<StreamEvent, { type: 'run' }>['data']>().toEqualTypeOf<{ run_id: string }>();
  });
});
