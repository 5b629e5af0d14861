/**
 * What the runtime reports about its work. The loop emits these plain events
 * to an observer; `shared/telemetry` turns them into Prometheus metrics,
 * OpenTelemetry spans and log lines. Keeping the loop free of telemetry
 * libraries keeps its hot path cheap and its tests simple.
 */
import type { TokenUsage } from '../loop/types.js';

export type TelemetryEvent =
  | { type: 'invocation_start'; invocation_id: string; agent: string; start_ms: number; parent_invocation_id?: string | undefined }
  | {
      type: 'invocation_end';
      invocation_id: string;
      agent: string;
      status: 'ok' | 'error';
      error_code?: string | undefined;
      start_ms: number;
      duration_ms: number;
      tokens: TokenUsage;
    }
  | {
      type: 'model_call';
      invocation_id: string;
      agent: string;
      model: string;
      status: 'ok' | 'error';
      start_ms: number;
      duration_ms: number;
      usage: { input: number; output: number; cache_read: number; cache_write: number };
    }
  | {
      type: 'tool_call';
      invocation_id: string;
      agent: string;
      tool: string;
      call_id: string;
      status: 'ok' | 'error';
      start_ms: number;
      duration_ms: number;
    }
  /** an answer broke one of the agent's `validate` rules */
  | { type: 'validation_violation'; invocation_id: string; agent: string; rule: string; severity: 'error' | 'warning' }
  /** a guardrail fired on the user's message (`input`) or the answer (`output`); never the matched text */
  | { type: 'guardrail'; invocation_id: string; agent: string; guardrail: string; mode: 'warn' | 'block'; side: 'input' | 'output'; match: string }
  /** a model of the agent's chain failed and the call went to the next one */
  | { type: 'model_fallback'; invocation_id: string; agent: string; from: string; to: string; error_code: string };

/** Receives telemetry events. Must not throw and must return quickly. `start_ms` is epoch milliseconds. */
export interface RuntimeObserver {
  record(event: TelemetryEvent): void;
}

export const NOOP_OBSERVER: RuntimeObserver = { record() {} };
