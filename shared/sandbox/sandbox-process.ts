/**
 * One single-use sandboxed interpreter: spawned (warm or cold), handed one
 * request, then killed with everything it started, its working directory
 * and its cgroup removed. Never reused. A call ends when the bootstrap reports
 * the code's exit status on fd 3 (its output is then already in the pipes), or
 * when the process exits without reporting, whichever comes first.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { constants } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { Readable } from 'node:stream';
import { AgentSpecError, ErrorCode } from '../errors.js';
import { encodeHeader, type BootstrapHeader } from './bootstraps.js';
import { killCgroup, removeCgroup } from './pids-cgroup.js';
import { StatusChannel } from './status-channel.js';
import type { SandboxRunResult } from './types.js';

export interface LaunchSpec {
  command: string;
  args: string[];
  /** where the spawned command starts on the host */
  cwd: string;
  /** a per-process host directory removed with the process (the unsafe mode's working directory), or null */
  workdir: string | null;
  /** a compiled seccomp filter, opened as fd 4 for bubblewrap's `--seccomp 4` */
  seccompFilter?: string;
  cgroupDir: string | null;
  /** true under bubblewrap: the PID namespace dies with bwrap, and 128+n exit codes mean signal n */
  namespaced: boolean;
  /** how the bootstrap wants its header (default: a length line and JSON, as python and node read it) */
  encodeHeader?: (header: BootstrapHeader) => Buffer;
}

/** How long to wait for the pipes to drain after the process ended. */
const DRAIN_MS = 250;
/** How long an interpreter may take to start before the call is refused. */
const START_LIMIT_MS = 30_000;
const SIGNAL_NAMES = new Map<number, string>(Object.entries(constants.signals).map(([name, no]) => [no, name]));

class CappedBuffer {
  private chunks: Buffer[] = [];
  private size = 0;
  truncated = false;
  constructor(private readonly cap: number) {}
  push(chunk: Buffer): void {
    const room = this.cap - this.size;
    if (chunk.length > room) this.truncated = true;
    if (room <= 0) return; // keep draining so the writer never blocks; the rest is dropped
    const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
    this.chunks.push(part);
    this.size += part.length;
  }
  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

function ended(stream: Readable | null): Promise<void> {
  if (!stream || stream.destroyed || stream.readableEnded) return Promise.resolve();
  return new Promise((resolve) => {
    stream.once('close', resolve);
    stream.once('end', resolve);
  });
}

/** A spawned sandbox process waiting for its one request. */
export class SandboxProcess {
  readonly child: ChildProcess;
  readonly startedAt = performance.now();
  /** resolves when the bootstrap is ready for code (or the process died) */
  readonly ready: Promise<void>;
  /** resolves with the exit code and signal when the spawned process has ended */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly channel: StatusChannel;
  private dead = false;
  private used = false;
  private released: Promise<void> | null = null;
  private removed: Promise<void> = Promise.resolve();

  constructor(private readonly spec: LaunchSpec) {
    const filter = spec.seccompFilter === undefined ? undefined : openSync(spec.seccompFilter, 'r');
    try {
      this.child = spawn(spec.command, spec.args, {
        cwd: spec.cwd,
        env: {},
        stdio: filter === undefined ? ['pipe', 'pipe', 'pipe', 'pipe'] : ['pipe', 'pipe', 'pipe', 'pipe', filter],
        // Its own process group: a terminal's Ctrl-C reaches the runtime, which
        // closes the pool in order, not the pool's processes behind its back.
        // Without a PID namespace, the group is also the best handle on the tree.
        detached: true,
      });
    } finally {
      if (filter !== undefined) closeSync(filter);
    }
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        this.dead = true;
        resolve({ code, signal });
      });
      this.child.once('error', () => {
        this.dead = true;
        resolve({ code: null, signal: null });
      });
    });
    this.child.stdin?.on('error', () => undefined); // EPIPE when the code never reads its input
    this.channel = new StatusChannel(this.child.stdio[3] as Readable | null);
    void this.exited.then(() => this.channel.close());
    this.ready = this.channel.ready;
  }

  /** true once the bootstrap said it is ready for code */
  get isReady(): boolean {
    return this.channel.isReady;
  }

  get alive(): boolean {
    return !this.dead;
  }

  /** Runs the one request this process will ever serve. */
  async run(
    header: BootstrapHeader,
    stdin: string,
    options: { timeoutMs: number; maxOutputBytes: number; signal?: AbortSignal | undefined },
  ): Promise<SandboxRunResult> {
    if (this.used) throw new AgentSpecError(ErrorCode.InternalError, 'A sandbox process was handed a second request.');
    this.used = true;
    const t0 = performance.now();
    const stdout = new CappedBuffer(options.maxOutputBytes);
    const stderr = new CappedBuffer(options.maxOutputBytes);
    this.child.stdout?.on('data', (chunk: Buffer) => stdout.push(chunk));
    this.child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk));
    let timedOut = false;
    let aborted = false;
    const onAbort = () => {
      aborted = true;
      this.killTree();
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    if (options.signal?.aborted) onAbort();
    this.child.stdin?.write((this.spec.encodeHeader ?? encodeHeader)(header));
    this.child.stdin?.end(stdin);
    // The timeout is the code's: a cold (or still starting) interpreter gets its start time on top, within a bound.
    let startTimer: NodeJS.Timeout | undefined;
    const started = await Promise.race([
      this.ready.then(() => true),
      new Promise<boolean>((resolve) => (startTimer = setTimeout(() => resolve(false), START_LIMIT_MS))),
    ]);
    clearTimeout(startTimer);
    if (!started) {
      options.signal?.removeEventListener('abort', onAbort);
      await this.release();
      throw new AgentSpecError(
        ErrorCode.Unavailable,
        `The sandboxed interpreter did not start within ${START_LIMIT_MS / 1000} s; the machine may be overloaded.`,
      );
    }
    const timer = setTimeout(() => {
      timedOut = true;
      this.killTree();
    }, options.timeoutMs);
    const end = await this.ending();
    clearTimeout(timer);
    // A status is written before any kill can land: the code finished in time, whatever the timer did meanwhile.
    if (end.reported !== null) timedOut = false;
    options.signal?.removeEventListener('abort', onAbort);
    const duration_ms = performance.now() - t0;
    // The call is over: whatever the code left running goes now.
    this.killTree();
    if (end.reported === null) {
      await Promise.race([Promise.all([ended(this.child.stdout), ended(this.child.stderr)]), new Promise((r) => setTimeout(r, DRAIN_MS))]);
      await this.release();
    } else {
      // The bootstrap wrote all its output before the status, so it was in
      // the stdout/stderr sockets before the status was read. But the poll
      // that led to that read may predate it (a cold start's ready byte and
      // status can come in one read), so wait for one more full poll phase:
      // an immediate queued from an immediate runs in the next loop turn,
      // after a poll that sees (and drains) everything now in the sockets.
      // Waiting for end-of-file instead would wait for the kernel to tear the
      // interpreter down (~6 ms for node).
      await new Promise((resolve) => setImmediate(() => setImmediate(resolve)));
      void this.release(); // housekeeping; cleanup() awaits it
    }
    if (aborted) throw new AgentSpecError(ErrorCode.Cancelled, 'The inline code was cancelled.');
    let { code: exitCode, signal } =
      end.reported === null ? { code: end.exit.code, signal: end.exit.signal as string | null } : { code: end.reported, signal: null };
    if (end.reported === null && this.spec.namespaced && exitCode !== null && exitCode > 128 && SIGNAL_NAMES.has(exitCode - 128)) {
      signal = SIGNAL_NAMES.get(exitCode - 128) ?? null;
      exitCode = null;
    }
    if (timedOut && signal === null && exitCode === null) signal = 'SIGKILL';
    return {
      exitCode,
      signal,
      stdout: stdout.text(),
      stderr: stderr.text(),
      timedOut,
      truncated: stdout.truncated || stderr.truncated,
      duration_ms,
    };
  }

  /** The end of the code: its reported status, or (none reported) the process's exit. */
  private async ending(): Promise<{ reported: number; exit?: undefined } | { reported: null; exit: { code: number | null; signal: NodeJS.Signals | null } }> {
    const reported = await Promise.race([this.channel.status, this.exited.then(() => null)]);
    if (reported !== null) return { reported };
    return { reported: null, exit: await this.exited };
  }

  /** Kills the process and everything it started. Idempotent. */
  killTree(): void {
    const pid = this.child.pid;
    if (pid !== undefined) {
      try {
        // Under bubblewrap the group's leader is bwrap: its death takes the whole PID namespace along.
        process.kill(-pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    if (this.spec.cgroupDir) killCgroup(this.spec.cgroupDir);
  }

  /**
   * Kills, waits for the end, then removes the working directory and the cgroup
   * in the background: the caller's result does not wait for housekeeping.
   * Resolves when the process is gone and its pipes are closed.
   */
  private release(): Promise<void> {
    this.released ??= (async () => {
      this.killTree();
      await this.exited;
      this.child.stdout?.destroy();
      this.child.stderr?.destroy();
      this.child.stdin?.destroy();
      (this.child.stdio[3] as Readable | null)?.destroy();
      this.removed = Promise.all([
        this.spec.workdir ? rm(this.spec.workdir, { recursive: true, force: true, maxRetries: 3 }) : undefined,
        // The kernel refuses to remove a cgroup until its last task is reaped.
        this.spec.cgroupDir ? removeCgroup(this.spec.cgroupDir) : undefined,
      ]).then(() => undefined);
    })();
    return this.released;
  }

  /** Kills everything and waits until the working directory and the cgroup are removed. */
  async cleanup(): Promise<void> {
    await this.release();
    await this.removed;
  }
}
