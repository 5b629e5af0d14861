/**
 * The subprocess sandbox that runs inline tool code. Each run gets a fresh,
 * single-use interpreter; the tool input arrives on the code's stdin.
 */
import type { InlineLanguage } from '../ir/enums.js';

export interface SandboxRunRequest {
  language: InlineLanguage;
  code: string;
  /** given to the code on stdin (the JSON tool input) */
  stdin: string;
  /** the complete environment of the code (declared env + resolved secrets); nothing of the parent's */
  env: Record<string, string>;
  timeoutMs: number;
  memoryBytes: number;
  signal?: AbortSignal;
}

/** The cap of each of stdout and stderr of one run (the local sandbox's default, and the AWS sandbox functions'); `truncated` says when it cut. */
export const SANDBOX_OUTPUT_CAP_BYTES = 1024 * 1024;

/**
 * V8 reserves far more address space than it touches (node will not start
 * under ~700 MiB of RLIMIT_AS here), so node's address-space cap — in the
 * local sandbox and in the AWS JavaScript sandbox function — is the
 * request's memory plus this slack, and its JS heap is capped at the
 * request's memory.
 */
export const NODE_ADDRESS_SLACK = 1024 * 1024 * 1024;

export interface SandboxRunResult {
  exitCode: number | null;
  /** the signal that ended the process, if any */
  signal: string | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  /** true when stdout or stderr was cut at the output cap */
  truncated: boolean;
  duration_ms: number;
}

/**
 * How inline code runs on this host: `bubblewrap` (full isolation), `refused`
 * (isolation is incomplete, so every call is refused), `unsafe` (isolation
 * is incomplete and the operator explicitly allowed running without it), or
 * `lambda-function` (on AWS Lambda: in the package's sandbox functions, each
 * with an empty role, a fresh process per call; see docs/aws.md).
 */
export type SandboxMode = 'bubblewrap' | 'refused' | 'unsafe' | 'lambda-function';

export interface SandboxIsolation {
  /** true with bubblewrap namespaces (user, mount, pid, net), no capabilities, and resource limits; or in sandbox functions of their own on AWS Lambda */
  full: boolean;
  /** what is missing when not full, each with how to get it */
  missing: string[];
  mode: SandboxMode;
  /** true when a seccomp filter is applied on top of the namespaces */
  seccomp: boolean;
}

export interface Sandbox {
  readonly isolation: SandboxIsolation;
  run(request: SandboxRunRequest): Promise<SandboxRunResult>;
  /** stops the warm pool; no process is left behind */
  close(): Promise<void>;
}
