/**
 * The built JavaScript sandbox function under AWS's runtime interface client
 * (`aws-lambda-ric` on node 22) against the Runtime API stand-in: it answers
 * the wire contract (functions/lib/sandbox/wire.ts), each call in a fresh
 * node process with exactly its environment, nothing of a call left after
 * it (processes, files), its timeout and memory honoured, and a malformed
 * payload refused without echoing its values.
 */
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFunction, projectRoot } from '../../scripts/build-functions.mjs';
import type { SandboxInvokeAnswer, SandboxInvokePayload } from '../../functions/lib/sandbox/wire.js';
import { startLambdaFunction, type LambdaFunction } from '../helpers/lambda-runtime/lambda-function.js';
import { markerEnv, processesWithMarker } from '../sandbox/sandbox-fixtures.js';

const MiB = 1024 * 1024;
let outdir: string;
let tmp: string;
let fn: LambdaFunction;

const payload = (code: string, more: Partial<SandboxInvokePayload> = {}): SandboxInvokePayload => ({
  language: 'javascript',
  code,
  stdin: '',
  env: {},
  timeout_ms: 10_000,
  memory_bytes: 128 * MiB,
  ...more,
});

async function call(p: unknown): Promise<SandboxInvokeAnswer> {
  const result = await fn.api.invoke(p);
  if (result.kind !== 'buffered') throw new Error(`expected an answer, got ${JSON.stringify(result)}`);
  return result.payload as SandboxInvokeAnswer;
}

beforeAll(async () => {
  // inside the project, as the other built-function suites do
  outdir = join(projectRoot, 'dist', `test-sandbox-js-${process.pid}`);
  tmp = join(outdir, 'tmp');
  mkdirSync(tmp, { recursive: true });
  const built = await buildFunction('sandbox-javascript', join(outdir, 'fn'));
  // TMPDIR: the function's /tmp is this private folder (the function empties it after each call)
  fn = await startLambdaFunction({ taskRoot: dirname(built.outfile), environment: { TMPDIR: tmp } });
}, 120_000);

afterAll(async () => {
  await fn?.stop();
  rmSync(outdir, { recursive: true, force: true });
});

describe('the JavaScript sandbox function under aws-lambda-ric', () => {
  it('runs the code with the input on stdin and exactly its environment, and answers the contract', async () => {
    const code = `let s = ''; process.stdin.on('data', (d) => (s += d)).on('end', () => console.log(JSON.stringify({ twice: JSON.parse(s).n * 2, env: process.env })));`;
    const answer = await call(payload(code, { stdin: '{"n":21}', env: { GREETING: 'hi' } }));
    expect(answer).toEqual({
      exit_code: 0,
      signal: null,
      stdout: expect.any(String),
      stderr: '',
      timed_out: false,
      truncated: false,
      duration_ms: expect.any(Number),
    });
    const out = JSON.parse(answer.stdout) as { twice: number; env: Record<string, string> };
    expect(out.twice).toBe(42);
    // the function's own AWS_* credentials, runtime API, handler and task root are not there
    expect(Object.keys(out.env).sort()).toEqual(['GREETING', 'LANG', 'PATH', 'PWD']);
  });

  it('runs each call in a fresh process: a global set by one call is absent in the next', async () => {
    const code = `console.log(JSON.stringify({ seen: globalThis.__mark ?? null, pid: process.pid })); globalThis.__mark = 'set';`;
    const first = JSON.parse((await call(payload(code))).stdout) as { seen: unknown; pid: number };
    const second = JSON.parse((await call(payload(code))).stdout) as { seen: unknown; pid: number };
    expect([first.seen, second.seen]).toEqual([null, null]);
    expect(second.pid).not.toBe(first.pid);
  });

  it('leaves nothing of a call behind: its background processes are killed and its files removed', async () => {
    const code = `const { spawn } = require('node:child_process'); const fs = require('node:fs'); const os = require('node:os');
const child = spawn('sleep', ['300'], { stdio: 'ignore' }); child.unref();
fs.writeFileSync('left-in-cwd', 'x'); fs.writeFileSync(${JSON.stringify(join(tmp, 'left-in-tmp'))}, 'x');
console.log(JSON.stringify({ sleeper: child.pid }));`;
    const env = markerEnv();
    const answer = await call(payload(code, { env }));
    expect(answer.exit_code).toBe(0);
    expect(JSON.parse(answer.stdout)).toMatchObject({ sleeper: expect.any(Number) });
    // a live process of the call holds its environment, marker included (a reaped or zombie one holds none)
    expect(processesWithMarker(env.RUN_MARKER)).toEqual([]);
    expect(readdirSync(tmp)).toEqual([]);
  });

  it('kills the call at its timeout', async () => {
    const answer = await call(payload('for (;;) {}', { timeout_ms: 300 }));
    expect(answer).toMatchObject({ timed_out: true, exit_code: null, signal: 'SIGKILL' });
    expect(answer.duration_ms).toBeLessThan(5_000);
  });

  it('caps the heap and the address space at the call memory', async () => {
    const heap = await call(payload('const a = []; for (;;) a.push(new Array(1e6).fill(1));', { memory_bytes: 64 * MiB }));
    expect(heap.timed_out).toBe(false);
    expect(heap.exit_code).not.toBe(0);
    expect(heap.stderr).toMatch(/heap/i);
    // off-heap memory: the address-space limit (the memory plus the slack V8 reserves) refuses 3 GiB
    const offHeap = await call(payload(`Buffer.alloc(3 * 1024 ** 3, 1); console.log('allocated');`, { memory_bytes: 64 * MiB }));
    expect(offHeap.stdout).not.toContain('allocated');
    expect(offHeap.exit_code).not.toBe(0);
  });

  it('cuts stdout at the output cap and says so', async () => {
    const answer = await call(payload(`process.stdout.write('x'.repeat(3 * 1024 * 1024));`));
    expect(answer.truncated).toBe(true);
    expect(answer.stdout.length).toBe(1024 * 1024);
  });

  it('refuses a malformed payload with a function error naming the field, never its values', async () => {
    const result = await fn.api.invoke({ language: 'python', code: 'SECRET-CODE', stdin: '', env: { K: 'SECRET-VALUE' }, timeout_ms: -1, memory_bytes: 1 });
    expect(result.kind).toBe('error');
    const text = JSON.stringify(result);
    expect(text).toContain('language');
    expect(text).toContain('timeout_ms');
    expect(text).not.toMatch(/SECRET-CODE|SECRET-VALUE/);
    expect(existsSync(tmp)).toBe(true);
  });
});
