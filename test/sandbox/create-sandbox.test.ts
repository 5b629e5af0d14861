/**
 * The sandbox's behaviour as the inline executor sees it: the I/O protocol,
 * env, exit codes, limits, working directories, the warm pool and shutdown;
 * then the degraded mode without bubblewrap and the refusal it can be told to make.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAgentSpecError } from '../../shared/errors.js';
import { createSandbox, probeSystem, type PooledSandbox, type SystemParts } from '../../shared/sandbox/index.js';
import { requireCommand } from '../helpers/require-system.js';
import { markerEnv, processesUnder, processesWithMarker, runRequest, settleEmpty, sleep } from './sandbox-fixtures.js';

const LANGUAGES = ['python', 'javascript'] as const;
const echoJson = {
  python: `import json, sys\nargs = json.load(sys.stdin)\nprint(json.dumps({'nested': args['nested'], 'head': args['text'][:16], 'n': len(args['text'])}))`,
  javascript: `const args = JSON.parse(require('fs').readFileSync(0, 'utf8')); console.log(JSON.stringify({ nested: args.nested, head: args.text.slice(0, 16), n: args.text.length }));`,
};
const printEnv = {
  python: `import os, json\nprint(json.dumps(dict(os.environ)))`,
  javascript: `console.log(JSON.stringify(process.env))`,
};

function workRoot(): string {
  return mkdtempSync(join(tmpdir(), 'agentspec-sandbox-test-'));
}

let root: string;
let sandbox: PooledSandbox;

beforeAll(async () => {
  requireCommand('bwrap');
  root = workRoot();
  sandbox = createSandbox({ poolSize: 1, workRoot: root, maxOutputBytes: 4096, logger: () => undefined });
  await sandbox.warm();
});

afterAll(async () => {
  await sandbox?.close();
  rmSync(root, { recursive: true, force: true });
});

describe.each(LANGUAGES)('%s calls', (language) => {
  it('round-trips JSON from stdin to stdout, even with unicode and a large input', async () => {
    // Prepare
    const input = { text: 'héllo ✓ '.repeat(5000), nested: { a: [1, 2, 3] } };
    // Act
    const result = await sandbox.run(runRequest(language, echoJson[language], { stdin: JSON.stringify(input) }));
    // Assess
    expect(result).toMatchObject({ exitCode: 0, signal: null, timedOut: false, truncated: false, stderr: '' });
    expect(JSON.parse(result.stdout)).toEqual({ nested: input.nested, head: input.text.slice(0, 16), n: input.text.length });
  }, 60_000);

  it('gives the code exactly the request env', async () => {
    const result = await sandbox.run(runRequest(language, printEnv[language], { env: { MODE: 'fast', TOKEN: 's3cr3t' } }));
    expect(JSON.parse(result.stdout)).toEqual({ MODE: 'fast', TOKEN: 's3cr3t' });
  });

  it('reports a non-zero exit with stderr', async () => {
    const code = language === 'python' ? `import sys\nsys.stderr.write('bad input\\n')\nsys.exit(3)` : `console.error('bad input'); process.exit(3);`;
    const result = await sandbox.run(runRequest(language, code));
    expect(result).toMatchObject({ exitCode: 3, signal: null, timedOut: false, stderr: 'bad input\n' });
  });

  it('reports an uncaught error as exit 1 with its message on stderr', async () => {
    const code = language === 'python' ? `raise ValueError('boom')` : `throw new Error('boom')`;
    const result = await sandbox.run(runRequest(language, code));
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('boom');
  });

  it('flags a timeout and kills the process', async () => {
    const code = language === 'python' ? 'import time\ntime.sleep(60)' : 'setTimeout(() => {}, 60_000)';
    const result = await sandbox.run(runRequest(language, code, { timeoutMs: 500 }));
    expect(result).toMatchObject({ timedOut: true, exitCode: null, signal: 'SIGKILL' });
    expect(result.duration_ms).toBeLessThan(10_000);
  });

  it('cuts output at the cap and says so', async () => {
    const code = language === 'python' ? `print('x' * 100000)` : `console.log('x'.repeat(100000))`;
    const result = await sandbox.run(runRequest(language, code));
    expect(result.truncated).toBe(true);
    expect(result.stdout).toBe('x'.repeat(4096));
    expect(result.exitCode).toBe(0);
  });

  it('runs in a fresh, private working directory that never touches the host', async () => {
    // Prepare: the code leaves a uniquely named file in its working directory
    const env = markerEnv();
    const code =
      language === 'python'
        ? `import os\nopen(os.environ['RUN_MARKER'], 'w').write('x')\nprint(os.getcwd(), os.listdir('.'))`
        : `const fs = require('fs'); fs.writeFileSync(process.env.RUN_MARKER, 'x'); console.log(process.cwd(), fs.readdirSync('.'))`;
    // Act
    const result = await sandbox.run(runRequest(language, code, { env }));
    // Assess: it started empty, and nothing under the sandbox's host directory ever held the file
    expect(result.stdout).toContain('/sandbox');
    expect(result.stdout).toContain(env.RUN_MARKER);
    const onHost = (readdirSync(root, { recursive: true }) as string[]).filter((entry) => entry.includes(env.RUN_MARKER));
    expect(onHost).toEqual([]);
  });

  it('serves each call with its own process: no state survives from one call to the next', async () => {
    // Prepare
    const mark =
      language === 'python'
        ? `import builtins, os\nprint(getattr(builtins, 'SEEN', 'fresh'), sorted(os.listdir('.')))\nbuiltins.SEEN = 'reused'\nopen('used', 'w').write('1')`
        : `const fs = require('fs'); console.log(globalThis.SEEN ?? 'fresh', JSON.stringify(fs.readdirSync('.'))); globalThis.SEEN = 'reused'; fs.writeFileSync('used', '1');`;
    const before = sandbox.stats();
    // Act
    const outputs: string[] = [];
    for (let i = 0; i < 3; i++) {
      await sandbox.warm();
      outputs.push((await sandbox.run(runRequest(language, mark))).stdout.trim());
    }
    // Assess: three fresh processes, each taken warm from the pool
    const after = sandbox.stats();
    expect(outputs.every((line) => line.startsWith('fresh') && !line.includes('used'))).toBe(true);
    expect(after.served - before.served).toBe(3);
    expect(after.warmHits - before.warmHits).toBe(3);
    expect(after.spawned - before.spawned).toBeGreaterThanOrEqual(3);
  });
});

describe('pool processes', () => {
  it('are spawned with an empty environment: nothing of the runtime reaches the bootstrap', async () => {
    // Prepare
    process.env.AGENTSPEC_POOL_CANARY = 'pool-canary-51c2';
    const own = workRoot();
    const local = createSandbox({ poolSize: 1, workRoot: own, logger: () => undefined });
    await local.warm();
    // Act
    const pids = processesUnder(own);
    const environments = pids.map((pid) => {
      try {
        return readFileSync(`/proc/${pid}/environ`, 'latin1');
      } catch {
        return '';
      }
    });
    await local.close();
    delete process.env.AGENTSPEC_POOL_CANARY;
    rmSync(own, { recursive: true, force: true });
    // Assess
    expect(pids.length).toBeGreaterThan(0);
    expect(environments.filter((env) => env.includes('pool-canary') || env.includes('PATH='))).toEqual([]);
  });
});

describe('requests', () => {
  it('rejects a malformed request with invalid_request', async () => {
    const error = await sandbox.run(runRequest('python', 'pass', { timeoutMs: 0, env: { 'A=B': 'x' } })).catch((e: unknown) => e);
    expect(isAgentSpecError(error, 'invalid_request')).toBe(true);
  });

  it('ends a cancelled call with cancelled and kills its process', async () => {
    const env = markerEnv();
    const controller = new AbortController();
    const pending = sandbox.run(runRequest('python', 'import time\ntime.sleep(60)', { env, signal: controller.signal }));
    await sleep(300);
    controller.abort();
    const error = await pending.catch((e: unknown) => e);
    expect(isAgentSpecError(error, 'cancelled')).toBe(true);
    expect(await settleEmpty(() => processesWithMarker(env.RUN_MARKER))).toEqual([]);
  });

  it('starts a cold interpreter for a javascript memory size not yet warm', async () => {
    const before = sandbox.stats();
    const result = await sandbox.run(runRequest('javascript', 'console.log("ok")', { memoryBytes: 96 * 1024 * 1024 }));
    expect(result.stdout.trim()).toBe('ok');
    expect(sandbox.stats().coldStarts - before.coldStarts).toBe(1);
  });

  it('reports a python that cannot start as unavailable', async () => {
    const broken = createSandbox({ poolSize: 0, python: '/nonexistent/python3', logger: () => undefined });
    const error = await broken.run(runRequest('python', 'pass')).catch((e: unknown) => e);
    await broken.close();
    expect(isAgentSpecError(error, 'unavailable')).toBe(true);
  });
});

describe('close()', () => {
  it('leaves no process and no working directory behind', async () => {
    // Prepare: a pool, a call still running when close() comes
    const own = workRoot();
    const local = createSandbox({ poolSize: 2, workRoot: own, logger: () => undefined });
    await local.warm();
    const running = local.run(runRequest('python', 'import time\ntime.sleep(60)', { env: markerEnv() })).catch(() => undefined);
    await sleep(200);
    expect(processesUnder(own).length).toBeGreaterThan(0);
    // Act
    await local.close();
    await running;
    // Assess
    expect(await settleEmpty(() => processesUnder(own))).toEqual([]);
    expect(readdirSync(own)).toEqual([]);
    const error = await local.run(runRequest('python', 'pass')).catch((e: unknown) => e);
    expect(isAgentSpecError(error, 'unavailable')).toBe(true);
    rmSync(own, { recursive: true, force: true });
  });
});

describe('without full isolation', () => {
  const degraded = (): SystemParts => {
    const real = probeSystem();
    return { ...real, bwrap: null, isolation: { full: false, missing: ['bubblewrap (not on PATH)'] } };
  };

  it('refuses every call by default, naming what is missing and how to get it, and starts no interpreter', async () => {
    // Prepare
    const lines: Record<string, unknown>[] = [];
    const local = createSandbox({ poolSize: 2, env: {}, system: degraded(), logger: (line) => lines.push(line) });
    // Act
    const errors = await Promise.all(LANGUAGES.map((language) => local.run(runRequest(language, 'print(1)')).catch((e: unknown) => e)));
    await local.close();
    // Assess
    for (const error of errors) {
      expect(isAgentSpecError(error, 'unavailable')).toBe(true);
      expect((error as Error).message).toContain('bubblewrap (not on PATH)');
      expect((error as Error).message).toContain('apt-get install bubblewrap');
      expect((error as Error).message).toContain('AGENTSPEC_UNSAFE_INLINE_CODE=1');
    }
    expect(local.isolation).toMatchObject({ full: false, mode: 'refused', missing: ['bubblewrap (not on PATH)'] });
    expect(local.stats().spawned).toBe(0);
    expect(lines).toEqual([expect.objectContaining({ level: 'warn', event: 'sandbox.isolation', mode: 'refused' })]);
  });

  it('refuses on AWS Lambda even when the unsafe opt-out is set', async () => {
    const env = { AWS_LAMBDA_FUNCTION_NAME: 'agentspec-run', AGENTSPEC_UNSAFE_INLINE_CODE: '1' };
    const local = createSandbox({ poolSize: 1, env, logger: () => undefined });
    const error = await local.run(runRequest('python', 'print(1)')).catch((e: unknown) => e);
    await local.close();
    expect(isAgentSpecError(error, 'unavailable')).toBe(true);
    expect(local.isolation).toMatchObject({ mode: 'refused', missing: [expect.stringContaining('AWS Lambda')] });
    expect(local.stats().spawned).toBe(0);
  });

  it('runs only with the explicit unsafe opt-out, warning on every call, with its limits still in force', async () => {
    // Prepare
    const lines: Record<string, unknown>[] = [];
    const local = createSandbox({ poolSize: 0, env: { AGENTSPEC_UNSAFE_INLINE_CODE: '1' }, system: degraded(), logger: (line) => lines.push(line) });
    // Act
    const ok = await local.run(runRequest('python', 'print("ran")'));
    const big = await local.run(runRequest('python', `x = bytearray(1 << 30)\nprint('ALLOCATED')`, { memoryBytes: 64 * 1024 * 1024 }));
    await local.close();
    // Assess
    expect(local.isolation).toMatchObject({ full: false, mode: 'unsafe' });
    expect(ok.stdout.trim()).toBe('ran');
    expect(big.stdout).not.toContain('ALLOCATED');
    expect(lines[0]).toMatchObject({ level: 'warn', event: 'sandbox.isolation', mode: 'unsafe' });
    expect(lines.filter((line) => line.event === 'sandbox.unsafe_call')).toHaveLength(2);
  });

  it('in the unsafe mode, as root, still kills a detached background process (the pids cgroup holds the whole tree)', async () => {
    // Prepare: without a PID namespace the marker file is on the host, so a survivor would show
    const parts = degraded();
    expect(parts.pidsCgroup, 'this test runs as root with a writable pids cgroup (the test set-up provides both)').not.toBeNull();
    const dir = mkdtempSync(join(tmpdir(), 'agentspec-sandbox-marker-'));
    const marker = join(dir, 'late');
    const local = createSandbox({ poolSize: 0, unsafeWithoutIsolation: true, system: parts, logger: () => undefined });
    const code = `import os, time\nif os.fork() == 0:\n    os.setsid()\n    if os.fork() == 0:\n        time.sleep(0.7)\n        open(${JSON.stringify(marker)}, 'w').write('survived')\n    os._exit(0)\nprint('parent done')`;
    // Act
    const result = await local.run(runRequest('python', code));
    await sleep(1200);
    await local.close();
    // Assess
    expect(result.stdout.trim()).toBe('parent done');
    expect(existsSync(marker)).toBe(false);
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('its private directory', () => {
  it('is made fresh under a unique name, mode 0700 and owned by the runtime, and removed by close()', async () => {
    // Prepare: another sandbox's directory in the same parent
    const parent = workRoot();
    const first = createSandbox({ poolSize: 0, workRoot: parent, logger: () => undefined });
    const second = createSandbox({ poolSize: 0, workRoot: parent, logger: () => undefined });
    // Act
    const dirs = readdirSync(parent).map((name) => ({ name, stat: lstatSync(join(parent, name)) }));
    await first.close();
    await second.close();
    // Assess
    expect(dirs).toHaveLength(2);
    for (const { name, stat } of dirs) {
      expect(name).toMatch(new RegExp(`^agentspec-sandbox-${process.pid}-[A-Za-z0-9]{6}$`));
      expect(stat.isDirectory()).toBe(true);
      expect(stat.mode & 0o777).toBe(0o700);
      expect(stat.uid).toBe(process.getuid?.());
    }
    expect(readdirSync(parent)).toEqual([]);
    rmSync(parent, { recursive: true, force: true });
  });

  it("removes a dead runtime's directory and pids cgroup at the next start, and leaves a live one's alone", async () => {
    // Prepare: leftovers named for a reaped pid, and a directory named for a live one
    const parts = probeSystem();
    expect(parts.pidsCgroup, 'this test runs as root with a writable pids cgroup (the test set-up provides both)').not.toBeNull();
    const parent = workRoot();
    const dead = spawnSync('true').pid;
    const deadDir = join(parent, `agentspec-sandbox-${dead}-Zz9aB1`);
    mkdirSync(join(deadDir, 'run-x'), { recursive: true });
    writeFileSync(join(deadDir, 'run-x', 'file'), 'x');
    const liveDir = join(parent, `agentspec-sandbox-${process.ppid}-Zz9aB2`);
    mkdirSync(liveDir);
    const deadCgroup = join(parts.pidsCgroup!, `agentspec-sandbox-${dead}-1`);
    mkdirSync(deadCgroup);
    // Act
    const local = createSandbox({ poolSize: 0, workRoot: parent, system: parts, logger: () => undefined });
    await local.close(); // close() waits for the start's clean-up
    // Assess
    expect(existsSync(deadDir)).toBe(false);
    expect(existsSync(deadCgroup)).toBe(false);
    expect(existsSync(liveDir)).toBe(true);
    rmSync(parent, { recursive: true, force: true });
  });
});
