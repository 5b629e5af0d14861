/**
 * The python sandbox function (`functions/sandbox-python/handler.py`) as the
 * managed python3.13 runtime runs it: one warm function process, invoked
 * through the Runtime API stand-in, answering the sandbox wire contract.
 *
 * AWS's Python runtime interface client (`awslambdaric`) is published on PyPI
 * only, which this project cannot reach (and the function ships no
 * dependencies), so `python-bootstrap.py` stands in for it: the same
 * documented Runtime API calls, the handler imported from LAMBDA_TASK_ROOT
 * during INIT, the environment Lambda gives a function (role credentials,
 * AWS_LAMBDA_RUNTIME_API, LAMBDA_TASK_ROOT…). TMPDIR points the handler at a
 * private directory standing in for the function's /tmp, so the cleanup it
 * does after every call never touches the host's /tmp.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../scripts/build-functions.mjs';
import { startPythonLambdaFunction, type PythonFunction } from '../helpers/lambda-runtime/python-function.js';
import type { InvocationResult } from '../helpers/lambda-runtime/runtime-api.js';
import type { SandboxInvokeAnswer as Answer } from '../../functions/lib/sandbox/wire.js';

const MiB = 1024 * 1024;

let fn: PythonFunction;
let functionTmp: string;

beforeAll(async () => {
  functionTmp = mkdtempSync(join(tmpdir(), 'sandbox-python-tmp-'));
  fn = await startPythonLambdaFunction({ taskRoot: join(projectRoot, 'functions', 'sandbox-python'), environment: { TMPDIR: functionTmp } });
  await fn.api.initDone();
});

afterAll(async () => {
  await fn?.stop();
  rmSync(functionTmp, { recursive: true, force: true });
});

afterEach(() => {
  // whatever a call did, nothing of it is left: no process, nothing in /tmp
  expect(childrenOf(fn.pid)).toEqual([]);
  expect(readdirSync(functionTmp)).toEqual([]);
});

/** The pids whose parent is `pid`, from /proc. */
function childrenOf(pid: number): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((entry) => {
      try {
        return readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ').at(-1)!.split(' ')[1] === String(pid);
      } catch {
        return false; // ended meanwhile
      }
    })
    .map(Number);
}

function request(code: string, fields: Record<string, unknown> = {}): Record<string, unknown> {
  return { language: 'python', code, stdin: '', env: {}, timeout_ms: 10_000, memory_bytes: 256 * MiB, ...fields };
}

async function run(code: string, fields: Record<string, unknown> = {}, timeoutMs?: number): Promise<Answer> {
  const result = await fn.api.invoke(request(code, fields), timeoutMs === undefined ? {} : { timeoutMs });
  expect(result.kind).toBe('buffered');
  return (result as Extract<InvocationResult, { kind: 'buffered' }>).payload as Answer;
}

async function refused(payload: unknown): Promise<{ errorMessage: string; errorType: string }> {
  const result = await fn.api.invoke(payload);
  expect(result.kind).toBe('error');
  return (result as Extract<InvocationResult, { kind: 'error' }>).body as { errorMessage: string; errorType: string };
}

describe('the python sandbox function', () => {
  it('imports the handler during INIT, then runs a tool: JSON in on stdin, its print out', async () => {
    expect(fn.api.log[0]).toBe('next');
    const answer = await run('import json, sys\nargs = json.load(sys.stdin)\nprint(json.dumps({"sum": args["a"] + args["b"]}))', {
      stdin: JSON.stringify({ a: 2, b: 3 }),
    });
    expect(answer).toEqual({
      exit_code: 0,
      signal: null,
      stdout: '{"sum": 5}\n',
      stderr: '',
      timed_out: false,
      truncated: false,
      duration_ms: expect.any(Number),
    });
    expect(answer.duration_ms).toBeGreaterThan(0);
  });

  it('gives the code exactly its env (plus PATH and LANG): none of the function role credentials or runtime variables', async () => {
    const answer = await run('import json, os\nprint(json.dumps(dict(os.environ)))', { env: { TOOL_TOKEN: 'declared-secret', REGION_NAME: 'eu' } });
    const env = JSON.parse(answer.stdout) as Record<string, string>;
    expect(env).toEqual({ PATH: '/usr/local/bin:/usr/bin:/bin', LANG: 'C.UTF-8', TOOL_TOKEN: 'declared-secret', REGION_NAME: 'eu' });
  });

  it('runs every call in a fresh interpreter: what one call set is absent in the next', async () => {
    const first = await run('import builtins, os\nbuiltins.left_by_first_call = True\nprint(os.getpid())');
    const second = await run('import builtins, os\nprint(hasattr(builtins, "left_by_first_call"), os.getpid())');
    expect(second.stdout).toBe(`False ${second.stdout.split(' ')[1]!.trim()}\n`);
    expect(second.stdout.split(' ')[1]!.trim()).not.toBe(first.stdout.trim());
  });

  it('kills a call past timeout_ms with timed_out, and every process it started (one in its own session too)', async () => {
    const code = [
      'import os, subprocess, time',
      "escaped = subprocess.Popen(['sleep', '1000'], start_new_session=True)",
      "in_group = subprocess.Popen(['sleep', '1000'])",
      'print(os.getpid(), escaped.pid, in_group.pid, flush=True)',
      'time.sleep(1000)',
    ].join('\n');
    // long enough for a loaded machine to start python and both children; the point is what happens at the deadline
    const timeoutMs = 4_000;
    const answer = await run(code, { timeout_ms: timeoutMs });
    expect(answer.duration_ms).toBeGreaterThanOrEqual(timeoutMs);
    expect(answer.duration_ms).toBeLessThan(timeoutMs + 2_000);
    expect(answer).toMatchObject({ exit_code: null, signal: 'SIGKILL', timed_out: true });
    const pids = answer.stdout.trim().split(' ');
    expect(pids).toHaveLength(3);
    for (const pid of pids) expect(existsSync(`/proc/${pid}`), `process ${pid}`).toBe(false);
  });

  it('kills what a successful call left running', async () => {
    const answer = await run("import subprocess\nprint(subprocess.Popen(['sleep', '1000'], start_new_session=True).pid)");
    expect(answer).toMatchObject({ exit_code: 0, timed_out: false });
    expect(existsSync(`/proc/${answer.stdout.trim()}`)).toBe(false);
  });

  it('answers timed_out before the invocation itself runs out of time, whatever timeout_ms asks', async () => {
    const answer = await run('import time\ntime.sleep(1000)', { timeout_ms: 600_000 }, 3_000);
    expect(answer).toMatchObject({ timed_out: true, signal: 'SIGKILL' });
    expect(answer.duration_ms).toBeLessThan(3_000);
  });

  it('caps the address space at memory_bytes: a small allocation works, a large one fails', async () => {
    const answer = await run(`small = bytearray(${8 * MiB})\nprint("small ok", flush=True)\nlarge = bytearray(${256 * MiB})\nprint("large ok")`, {
      memory_bytes: 128 * MiB,
    });
    expect(answer.stdout).toBe('small ok\n');
    expect(answer.exit_code).toBe(1);
    expect(answer.stderr).toContain('MemoryError');
  });

  it('truncates stdout and stderr at the output cap (1 MiB each) and says so', async () => {
    const answer = await run(`import sys\nsys.stdout.write("o" * ${3 * MiB})\nsys.stderr.write("e" * ${2 * MiB})`);
    expect(answer).toMatchObject({ exit_code: 0, truncated: true });
    expect(answer.stdout).toBe('o'.repeat(MiB));
    expect(answer.stderr).toBe('e'.repeat(MiB));
    expect((await run('print("short")')).truncated).toBe(false);
  });

  it('removes the call directory and whatever the call left in /tmp before the next call', async () => {
    const left = join(functionTmp, 'left-behind');
    const code = [
      'import json, os, sys',
      'path = json.load(sys.stdin)["path"]',
      "os.makedirs(os.path.join(path, 'deep', 'er'))",
      "open(os.path.join(path, 'deep', 'er', 'file'), 'w').write('x')",
      "os.chmod(os.path.join(path, 'deep'), 0)",
      "open(path + '.txt', 'w').write('x')",
      "os.makedirs('locked/in')",
      "os.chmod('locked', 0)",
      'print(os.getcwd())',
    ].join('\n');
    const first = await run(code, { stdin: JSON.stringify({ path: left }) });
    expect(first.exit_code).toBe(0);
    expect(existsSync(first.stdout.trim())).toBe(false);
    const second = await run(
      'import json, os, sys\npath = json.load(sys.stdin)["path"]\nprint(os.path.exists(path), os.path.exists(path + ".txt"), os.getcwd())',
      {
        stdin: JSON.stringify({ path: left }),
      },
    );
    expect(second.stdout).toBe(`False False ${second.stdout.split(' ')[2]!.trim()}\n`);
    expect(second.stdout).not.toContain(first.stdout.trim());
  });

  it('answers a malformed payload with a function error naming the field, never echoing code or env', async () => {
    const secrets = { code: 'print("code-that-must-not-leak")', env: { TOKEN: 'env-value-that-must-not-leak' } };
    const cases: [unknown, string][] = [
      [{ ...request(secrets.code), env: secrets.env, timeout_ms: 'soon' }, 'timeout_ms'],
      [{ ...request(secrets.code), env: { TOKEN: 7 } }, 'env'],
      [{ ...request(secrets.code), env: secrets.env, memory_bytes: -1 }, 'memory_bytes'],
      [{ ...request(secrets.code), env: secrets.env, stdin: undefined }, 'stdin'],
      [{ ...request(secrets.code), env: secrets.env, language: 'javascript' }, 'language'],
      [['not', 'an', 'object'], 'language'],
    ];
    for (const [payload, field] of cases) {
      const error = await refused(payload);
      expect(error).toMatchObject({ errorType: 'InvalidPayload', errorMessage: expect.stringContaining(field) });
      expect(JSON.stringify(error)).not.toMatch(/must-not-leak/);
    }
    expect(fn.output()).not.toMatch(/must-not-leak/);
    // the function is still serving
    expect((await run('print(1)')).stdout).toBe('1\n');
  });
});
