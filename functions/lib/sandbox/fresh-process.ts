/**
 * One inline call inside a sandbox function: a fresh interpreter in its own
 * process group and private working directory, with exactly the call's
 * environment (plus PATH and LANG), an address-space limit, a timeout, and
 * capped output. After the call its process group (and every descendant
 * still attached to it) is killed and what it left in the temporary
 * directory is removed.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SANDBOX_OUTPUT_CAP_BYTES } from '../../../shared/sandbox/types.js';
import type { SandboxInvokeAnswer, SandboxInvokePayload } from './wire.js';

export interface Interpreter {
  /** the interpreter's binary and arguments, run in the call's directory where the code is the file `codeFile` */
  argv: string[];
  codeFile: string;
  /** the address-space limit (RLIMIT_AS) in bytes */
  addressSpaceBytes: number;
}

const BASE_ENV = { PATH: '/usr/local/bin:/usr/bin:/bin', LANG: 'C.UTF-8' };

class Capped {
  private readonly chunks: Buffer[] = [];
  private size = 0;
  truncated = false;
  push(chunk: Buffer): void {
    const room = SANDBOX_OUTPUT_CAP_BYTES - this.size;
    if (chunk.length > room) this.truncated = true;
    if (room <= 0) return;
    const part = chunk.subarray(0, room);
    this.chunks.push(part);
    this.size += part.length;
  }
  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

/** Runs the call in a fresh process and answers with its result once nothing of it is left. */
export async function runFresh(payload: SandboxInvokePayload, interpreter: Interpreter): Promise<SandboxInvokeAnswer> {
  const started = performance.now();
  const dir = await mkdtemp(join(tmpdir(), 'call-'));
  try {
    await writeFile(join(dir, interpreter.codeFile), payload.code, { mode: 0o600 });
    // the shell sets the limits and then becomes the interpreter (same pid, same group)
    const limits = `ulimit -c 0 && ulimit -v ${Math.ceil(interpreter.addressSpaceBytes / 1024)} && exec "$0" "$@"`;
    const child = spawn('/bin/sh', ['-c', limits, ...interpreter.argv, interpreter.codeFile], {
      cwd: dir,
      env: { ...BASE_ENV, ...payload.env },
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const stdout = new Capped();
    const stderr = new Capped();
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.stdin.on('error', () => {}); // code that never reads its input closes the pipe early
    child.stdin.end(payload.stdin);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid);
    }, payload.timeout_ms);
    const closed = new Promise((resolve) => child.once('close', resolve));
    const [code, signal] = await new Promise<[number | null, string | null]>((resolve) => {
      child.once('error', (error) => {
        stderr.push(Buffer.from(`The sandbox function could not start the interpreter: ${error.message}\n`));
        resolve([null, null]);
      });
      child.once('exit', (c, s) => resolve([c, s]));
    });
    // whatever it started in its group goes with it, also on success; the output ends when the last writer is gone
    killGroup(child.pid);
    await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, Math.max(0, payload.timeout_ms - (performance.now() - started))).unref())]);
    clearTimeout(timer);
    child.stdout.destroy();
    child.stderr.destroy();
    return {
      exit_code: code,
      signal: signal ?? (timedOut && code === null ? 'SIGKILL' : null),
      stdout: stdout.text(),
      stderr: stderr.text(),
      timed_out: timedOut,
      truncated: stdout.truncated || stderr.truncated,
      duration_ms: Math.round(performance.now() - started),
    };
  } finally {
    clearTemporary(dir);
  }
}

/** Kills the process group `pid` leads, and any process of its session or group elsewhere in /proc. */
function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  const kill = (target: number) => {
    try {
      process.kill(target, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  kill(-pid);
  for (const entry of safeList('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // stat: pid (comm) state ppid pgrp session …; comm may hold spaces and parentheses
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const [, , pgrp, session] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(pgrp) === pid || Number(session) === pid) kill(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
}

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/**
 * Removes the call's directory, and on AWS Lambda (or with TMPDIR set, as the
 * tests do) everything else in the temporary directory: it belongs to this
 * function alone, so anything there was left by a call. Without either, only
 * the call's directory goes (never wipe a shared /tmp).
 */
function clearTemporary(dir: string): void {
  const root = tmpdir();
  const owned = process.env.AWS_EXECUTION_ENV?.startsWith('AWS_Lambda_') === true || process.env.TMPDIR !== undefined;
  for (const path of owned ? safeList(root).map((entry) => join(root, entry)) : [dir]) {
    try {
      rmSync(path, { recursive: true, force: true });
    } catch {
      // a file the call made unremovable stays; the next call's cleanup tries again
    }
  }
}
