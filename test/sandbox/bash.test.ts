/**
 * Inline bash in the real sandbox: first proof that the sandbox is in force
 * (bubblewrap with seccomp, `nobody`, the sandbox's hostname and working
 * directory, a read-only root), then the I/O protocol, exit statuses, env
 * isolation, the network, writes, the time and memory limits, the warm pool
 * and the refusals of requests bash cannot take.
 */
import { createServer, type Server } from 'node:net';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAgentSpecError } from '../../shared/errors.js';
import { createSandbox, type PooledSandbox } from '../../shared/sandbox/index.js';
import { requireCommand } from '../helpers/require-system.js';
import { MiB, markerEnv, processesWithMarker, runRequest, settleEmpty } from './sandbox-fixtures.js';

const CANARY = 'bash-canary-4d81c0';
let root: string;
let sandbox: PooledSandbox;

const bash = (code: string, overrides: Parameters<typeof runRequest>[2] = {}) => sandbox.run(runRequest('bash', code, overrides));

beforeAll(async () => {
  requireCommand('bwrap');
  requireCommand('bash');
  process.env.AGENTSPEC_BASH_CANARY = CANARY;
  root = mkdtempSync(join(tmpdir(), 'agentspec-sandbox-bash-'));
  sandbox = createSandbox({
    poolSize: 1,
    warmBash: true,
    warmPython: false,
    warmJavascriptMemory: [],
    workRoot: root,
    maxOutputBytes: 4096,
    logger: () => undefined,
  });
  await sandbox.warm();
});

afterAll(async () => {
  delete process.env.AGENTSPEC_BASH_CANARY;
  await sandbox?.close();
  rmSync(root, { recursive: true, force: true });
});

describe('the sandbox around bash', () => {
  it('is in force: bubblewrap with seccomp, the code as nobody on the host "sandbox", in /sandbox, with a read-only root', async () => {
    // Act
    const result = await bash(`id -u; hostname; pwd; touch /probe 2>/dev/null && echo root-writable || echo root-read-only`);
    // Assess
    expect(sandbox.isolation).toEqual({ full: true, missing: [], mode: 'bubblewrap', seccomp: true });
    expect(result).toMatchObject({ exitCode: 0, stderr: '' });
    expect(result.stdout.split('\n')).toEqual(['65534', 'sandbox', '/sandbox', 'root-read-only', '']);
  });
});

describe('bash calls', () => {
  it('read the tool input as JSON on stdin and print the result on stdout', async () => {
    const input = JSON.stringify({ text: 'héllo ✓ '.repeat(3000), n: 2 });
    const result = await bash(`cat`, { stdin: input });
    expect(result).toMatchObject({ exitCode: 0, signal: null, timedOut: false, truncated: true, stderr: '' });
    expect(result.stdout).toBe(Buffer.from(input).subarray(0, 4096).toString('utf8'));
  });

  it('run the original examples’ form: date, ls and ${INPUT_…:-default} expansions', async () => {
    const result = await bash('date +%H:%M:%S; ls -d ${INPUT_PATH:-/usr}', { env: { INPUT_PATH: '/usr/bin' } });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/^\d{2}:\d{2}:\d{2}\n\/usr\/bin\n$/);
  });

  it('report a non-zero exit with stderr, and an unknown command as 127 naming inline.sh', async () => {
    const failed = await bash(`echo 'bad input' >&2; exit 3`);
    const unknown = await bash(`no-such-command-x`);
    expect(failed).toMatchObject({ exitCode: 3, signal: null, stderr: 'bad input\n' });
    expect(unknown).toMatchObject({ exitCode: 127, signal: null });
    expect(unknown.stderr).toBe('inline.sh: line 1: no-such-command-x: command not found\n');
  });

  it('report a code killed by a signal as that signal', async () => {
    const result = await bash(`kill -TERM $BASHPID`);
    expect(result).toMatchObject({ exitCode: null, signal: 'SIGTERM', timedOut: false });
  });

  it('see exactly the request env (plus the PWD, SHLVL and _ bash sets itself), nothing of the runtime, not even through /proc', async () => {
    // Act
    const result = await bash(`env | sort; grep -l ${CANARY} /proc/[0-9]*/environ 2>/dev/null | wc -l`, { env: { ONLY: 'this one' } });
    // Assess
    expect(result.stdout.split('\n')).toEqual(['ONLY=this one', 'PWD=/sandbox', 'SHLVL=1', '_=/usr/bin/env', '0', '']);
  });

  it('have no network: a connection to a port the host listens on fails and never arrives', async () => {
    // Prepare
    let connections = 0;
    const server: Server = createServer((socket) => {
      connections++;
      socket.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    // Act
    const result = await bash(
      `(exec 5<>/dev/tcp/127.0.0.1/${port}) 2>/dev/null && echo CONNECTED || echo REFUSED; (exec 5<>/dev/tcp/1.1.1.1/80) 2>/dev/null && echo OUT || echo NO-ROUTE`,
    );
    await new Promise<void>((resolve) => server.close(() => resolve()));
    // Assess
    expect(result.stdout).toBe('REFUSED\nNO-ROUTE\n');
    expect(connections).toBe(0);
  });

  it('cannot write outside /sandbox and /tmp, and what they write there never reaches the host', async () => {
    // Prepare
    const { RUN_MARKER } = markerEnv();
    const targets = ['/usr/local/x', '/etc/x', '/x', join(process.cwd(), RUN_MARKER)];
    const code = `${targets.map((t) => `(echo x > ${t}) 2>/dev/null && echo "WROTE ${t}"`).join('; ')}; echo x > ${RUN_MARKER} && echo x > /tmp/${RUN_MARKER} && echo tmp-ok`;
    // Act
    const result = await bash(code);
    // Assess
    expect(result.stdout).toBe('tmp-ok\n');
    expect(existsSync(join(process.cwd(), RUN_MARKER))).toBe(false);
    expect((readdirSync(root, { recursive: true }) as string[]).filter((entry) => entry.includes(RUN_MARKER))).toEqual([]);
  });

  it('are killed at the time limit with everything they started, background jobs included', async () => {
    const env = markerEnv();
    const result = await bash(`sleep 60 & sleep 60`, { timeoutMs: 500, env });
    expect(result).toMatchObject({ timedOut: true, exitCode: null, signal: 'SIGKILL' });
    expect(await settleEmpty(() => processesWithMarker(env.RUN_MARKER))).toEqual([]);
  });

  it('are held to the memory limit: what fits in 256 MiB fails under 32 MiB', async () => {
    // Prepare: a 16 MiB string in the shell's own memory
    const code = `s=$(head -c 16777216 /dev/zero | tr '\\0' x); echo \${#s}`;
    // Act
    const roomy = await bash(code, { memoryBytes: 256 * MiB, timeoutMs: 30_000 });
    const tight = await bash(code, { memoryBytes: 32 * MiB, timeoutMs: 30_000 });
    // Assess
    expect(roomy).toMatchObject({ exitCode: 0, stdout: '16777216\n' });
    expect(tight.exitCode).not.toBe(0);
    expect(tight.stdout).not.toContain('16777216');
    expect(tight.stderr).toMatch(/cannot allocate/);
  }, 90_000);

  it('each run in a fresh process from the warm pool: nothing survives from one call to the next', async () => {
    const before = sandbox.stats();
    const outputs: string[] = [];
    for (let i = 0; i < 3; i++) {
      await sandbox.warm();
      outputs.push((await bash(`ls -A; echo \${SEEN:-fresh}; export SEEN=1; touch used`)).stdout);
    }
    expect(outputs).toEqual(['fresh\n', 'fresh\n', 'fresh\n']);
    expect(sandbox.stats().warmHits - before.warmHits).toBe(3);
  });
});

describe('bash requests the sandbox refuses', () => {
  it('code or env with a NUL character, which no shell argument or environment can hold', async () => {
    const inCode = await bash('echo a\0b').catch((e: unknown) => e);
    const inEnv = await bash('true', { env: { A: 'x\0y' } }).catch((e: unknown) => e);
    expect(isAgentSpecError(inCode, 'invalid_request')).toBe(true);
    expect(isAgentSpecError(inEnv, 'invalid_request')).toBe(true);
  });

  it('code above 128 KiB, the largest single argument Linux passes', async () => {
    const error = await bash(`# ${'x'.repeat(128 * 1024)}`).catch((e: unknown) => e);
    expect(isAgentSpecError(error, 'invalid_request')).toBe(true);
    expect((error as Error).message).toContain('128 KiB');
  });

  it('every call when bash is missing, with how to install it', async () => {
    const local = createSandbox({
      poolSize: 1,
      warmBash: true,
      bash: '/nonexistent/bash',
      warmPython: false,
      warmJavascriptMemory: [],
      logger: () => undefined,
    });
    const error = await local.run(runRequest('bash', 'echo hi')).catch((e: unknown) => e);
    await local.close();
    expect(isAgentSpecError(error, 'unavailable')).toBe(true);
    expect((error as Error).message).toContain('apt-get install bash');
  });
});
