/**
 * How the host ends a call, with stand-in interpreters (shell scripts that
 * speak the fd 3 protocol): a reported status ends the call at once with the
 * output already written, and a process that never reports is judged by its
 * exit as before.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SandboxProcess } from '../../shared/sandbox/sandbox-process.js';
import { requireCommand } from '../helpers/require-system.js';
import { processesWithArg, settleEmpty } from './sandbox-fixtures.js';

let root: string;

beforeAll(() => {
  requireCommand('sh');
  root = mkdtempSync(join(tmpdir(), 'agentspec-sandbox-process-test-'));
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A stand-in interpreter: says ready, reads its request, then runs `script`. Not namespaced: its process group is its tree. */
function standIn(script: string): SandboxProcess {
  const workdir = mkdtempSync(join(root, 'run-'));
  return new SandboxProcess({
    command: '/bin/sh',
    args: ['-c', `printf R >&3; cat >/dev/null; ${script}`],
    cwd: workdir,
    workdir,
    cgroupDir: null,
    namespaced: false,
  });
}

async function runOnce(proc: SandboxProcess, options: { timeoutMs?: number } = {}) {
  await proc.ready;
  try {
    return await proc.run({ code: '', env: {}, limits: {} }, '{}', { timeoutMs: options.timeoutMs ?? 10_000, maxOutputBytes: 1024 * 1024 });
  } finally {
    await proc.cleanup();
  }
}

describe('SandboxProcess.run', () => {
  it('returns the reported status without waiting for a slow-to-exit process, then kills it', async () => {
    // Prepare: the stand-in reports, then takes 20 s to "tear down"
    const marker = `teardown-${randomUUID()}`;
    const proc = standIn(`echo out; echo err >&2; printf 'S0\\n' >&3; exec sh -c 'sleep 20; :' ${marker}`);
    await proc.ready;
    // Act
    const result = await proc.run({ code: '', env: {}, limits: {} }, '{}', { timeoutMs: 30_000, maxOutputBytes: 4096 });
    // Assess: the call is over long before the teardown would be, and nothing is left running
    expect(result).toMatchObject({ exitCode: 0, signal: null, timedOut: false, stdout: 'out\n', stderr: 'err\n' });
    expect(result.duration_ms).toBeLessThan(10_000);
    expect(await settleEmpty(() => processesWithArg(marker))).toEqual([]);
    await proc.cleanup();
  });

  it('collects every byte written before the status, even more than a socket buffer holds', async () => {
    // Prepare: one shell builtin writes 600 KB (more than the socket holds, so
    // it blocks until the host reads) and the next reports at once
    const script = `printf '%0600000d' 0; printf 'S0\\n' >&3; exec sleep 20`;
    for (let i = 0; i < 5; i++) {
      // Act
      const result = await runOnce(standIn(script));
      // Assess
      expect(result.stdout.length).toBe(600_000);
      expect(result.exitCode).toBe(0);
    }
  });

  it('collects output written after the poll that saw the status, when the status is read with the ready byte', async () => {
    // Prepare: stderr and the ready byte are both waiting when the host first
    // polls; the host stalls on stderr while the code prints and reports, so
    // it then reads the status together with the ready byte, from a poll that
    // predates the output
    const workdir = mkdtempSync(join(root, 'run-'));
    const script = `echo x >&2; printf R >&3; sleep 0.2; echo out; printf 'S0\\n' >&3; exec sleep 20`;
    const proc = new SandboxProcess({ command: '/bin/sh', args: ['-c', script], cwd: workdir, workdir, cgroupDir: null, namespaced: false });
    const busy = (ms: number) => {
      const until = Date.now() + ms;
      while (Date.now() < until); // a busy host: nothing else runs meanwhile
    };
    proc.child.stderr?.once('data', () => busy(600));
    busy(150);
    // Act
    const result = await proc.run({ code: '', env: {}, limits: {} }, '{}', { timeoutMs: 10_000, maxOutputBytes: 4096 });
    await proc.cleanup();
    // Assess
    expect(result).toMatchObject({ exitCode: 0, stdout: 'out\n', stderr: 'x\n' });
  });

  it('reports a reported non-zero status as the exit code, not as a signal', async () => {
    const result = await runOnce(standIn(`printf 'S137\\n' >&3; exec sleep 20`));
    expect(result).toMatchObject({ exitCode: 137, signal: null });
  });

  it('falls back to the exit code when the process ends without reporting', async () => {
    const result = await runOnce(standIn(`echo partial; exit 5`));
    expect(result).toMatchObject({ exitCode: 5, signal: null, stdout: 'partial\n', timedOut: false });
  });

  it('falls back to the signal when the process is killed without reporting', async () => {
    const result = await runOnce(standIn(`kill -TERM $$`));
    expect(result).toMatchObject({ exitCode: null, signal: 'SIGTERM' });
  });

  it('still times out code that never reports nor exits', async () => {
    const result = await runOnce(standIn(`exec sleep 20`), { timeoutMs: 300 });
    expect(result).toMatchObject({ timedOut: true, exitCode: null, signal: 'SIGKILL' });
  });
});
