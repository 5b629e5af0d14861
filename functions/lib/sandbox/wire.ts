/**
 * The wire contract of the sandbox functions (one per inline language, see
 * docs/aws.md): the JSON the run and stream functions send in a synchronous
 * invoke, the JSON the sandbox function answers, the environment variables
 * that name the functions, and the payload check both sides rely on. The
 * semantics are those of the local sandbox's `SandboxRunRequest` and
 * `SandboxRunResult` (shared/sandbox/types.ts).
 */

export type SandboxLanguage = 'javascript' | 'python';

export interface SandboxInvokePayload {
  language: SandboxLanguage;
  code: string;
  /** the tool input, given on stdin */
  stdin: string;
  /** the code's whole environment (besides a minimal PATH and LANG) */
  env: Record<string, string>;
  timeout_ms: number;
  memory_bytes: number;
}

export interface SandboxInvokeAnswer {
  exit_code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  timed_out: boolean;
  truncated: boolean;
  duration_ms: number;
}

/** The variables that name each language's sandbox function on the run and stream functions. */
export const SANDBOX_FUNCTION_ENV: Readonly<Record<SandboxLanguage, string>> = {
  javascript: 'AGENTSPEC_SANDBOX_JAVASCRIPT_FUNCTION',
  python: 'AGENTSPEC_SANDBOX_PYTHON_FUNCTION',
};

/**
 * Checks an invoke payload for the sandbox function of `language`. The error
 * names the bad fields and never echoes a value (`code` and `env` may hold secrets).
 */
export function parsePayload(event: unknown, language: SandboxLanguage): SandboxInvokePayload {
  const p = (typeof event === 'object' && event !== null ? event : {}) as Record<string, unknown>;
  const bad: string[] = [];
  if (p.language !== language) bad.push(`language (must be "${language}")`);
  if (typeof p.code !== 'string') bad.push('code (a string)');
  if (typeof p.stdin !== 'string') bad.push('stdin (a string)');
  const env = p.env;
  if (typeof env !== 'object' || env === null || Array.isArray(env)) bad.push('env (an object of strings)');
  else
    for (const [name, value] of Object.entries(env as Record<string, unknown>))
      if (!name || name.includes('=') || name.includes('\0') || typeof value !== 'string' || value.includes('\0'))
        bad.push('env (names without "=", string values)');
  for (const field of ['timeout_ms', 'memory_bytes'])
    if (typeof p[field] !== 'number' || !Number.isSafeInteger(p[field]) || p[field] <= 0) bad.push(`${field} (a positive integer)`);
  if (bad.length) throw new Error(`Invalid sandbox invoke payload: ${[...new Set(bad)].join(', ')}.`);
  return p as unknown as SandboxInvokePayload;
}
