/** Result shapes of a pipeline run (`POST /v1/pipelines/{name}/run`). */
import type { TokenUsage } from '../loop/types.js';

export type StepStatus = 'succeeded' | 'failed' | 'skipped' | 'cancelled';

export interface StepResult {
  name: string;
  agent: string;
  status: StepStatus;
  output?: string;
  error?: { error: string; message: string };
  duration_ms: number;
  tokens: TokenUsage;
}

export interface PipelineResult {
  pipeline: string;
  status: 'succeeded' | 'failed';
  /** the step whose failure stopped the run */
  failed_step?: string;
  steps: StepResult[];
  duration_ms: number;
  tokens: TokenUsage;
}
