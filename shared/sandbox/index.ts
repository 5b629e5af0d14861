/**
 * The inline-code sandbox: `createSandbox()` runs python, javascript and
 * bash in single-use, pre-started interpreters under bubblewrap (user, mount, PID and
 * network namespaces) with memory, CPU, process-count and output limits.
 * A call ends when the interpreter reports the code's exit status on fd 3,
 * before its own teardown (or, when it never reports, when it exits).
 */
export { createSandbox, type PooledSandbox, type SandboxOptions } from './create-sandbox.js';
export { probeSystem, type SystemParts } from './system-probe.js';
export type { PoolStats } from './warm-pool.js';
export type { Sandbox, SandboxIsolation, SandboxRunRequest, SandboxRunResult } from './types.js';
