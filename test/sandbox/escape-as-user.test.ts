/**
 * The escape suite as an attacker would run it on a real host: every probe,
 * in python and javascript, from a runtime running as root and as an
 * unprivileged user, with bubblewrap on PATH and without it. With bubblewrap
 * every probe is blocked; without it every call is refused. Destructive
 * probes run only after the proof probe has shown the sandbox in force.
 * The runtime side is the escape runner, bundled and started as that user.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync, chownSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireCommand } from '../helpers/require-system.js';
import { escapeProbes, type ProbeContext } from './escape-probes.js';
import type { RunnerOutcome } from './escape-runner.js';
import { processesWithMarker, settleEmpty } from './sandbox-fixtures.js';

const NOBODY = 65534;
let scratch: string;
let runner: string;
let server: Server;
let apiPort = 0;
let connections = 0;
/** a directory on PATH that has prlimit but no bwrap */
let noBwrapPath: string;
let setpriv: string;

beforeAll(async () => {
  requireCommand('bwrap');
  setpriv = requireCommand('setpriv');
  expect(process.getuid?.(), 'this suite starts runtimes as root and as nobody, so it runs as root (as the test set-up does)').toBe(0);
  expect(existsSync('/usr/bin/python3'), "Debian's python3 (readable by every user) is needed: run `bash scripts/provision.sh` as root").toBe(true);
  scratch = mkdtempSync(join(tmpdir(), 'agentspec-escape-'));
  chmodSync(scratch, 0o755);
  runner = join(scratch, 'escape-runner.mjs');
  await build({
    entryPoints: [join(import.meta.dirname, 'escape-runner.ts')],
    outfile: runner,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'silent',
  });
  chmodSync(runner, 0o644);
  noBwrapPath = join(scratch, 'bin');
  mkdirSync(noBwrapPath, { mode: 0o755 });
  symlinkSync(execFileSync('sh', ['-c', 'command -v prlimit'], { encoding: 'utf8' }).trim(), join(noBwrapPath, 'prlimit'));
  server = createServer((socket) => {
    connections++;
    socket.on('error', () => undefined); // the probe hangs up at once
    socket.end('hello');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  apiPort = (server.address() as { port: number }).port;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server?.close(() => resolve()));
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

/** A pid that is certainly dead: a process that has exited and been reaped. */
function deadPid(): number {
  return spawnSync('true').pid;
}

/** A /tmp-like directory (sticky, world-writable) with what other users and dead runtimes left in it. */
function sharedTmp(): { dir: string; rootLeftover: string; fixedPath: string; decoy: string } {
  const dir = mkdtempSync(join(scratch, 'tmp-'));
  chmodSync(dir, 0o1777);
  // The fixed path earlier releases used, pre-created by another user as a link to a directory of theirs.
  const decoy = join(dir, 'decoy');
  mkdirSync(decoy);
  writeFileSync(join(decoy, 'planted'), 'x');
  chownSync(decoy, NOBODY, NOBODY);
  const fixedPath = join(dir, 'agentspec-sandbox');
  symlinkSync(decoy, fixedPath);
  // A root-owned leftover of a runtime that was killed.
  const rootLeftover = join(dir, `agentspec-sandbox-${deadPid()}-AbC123`);
  mkdirSync(rootLeftover, { mode: 0o700 });
  writeFileSync(join(rootLeftover, 'left'), 'x');
  return { dir, rootLeftover, fixedPath, decoy };
}

interface Report {
  isolation: { mode: string; missing: string[] };
  outcomes: RunnerOutcome[];
}

/** Starts the runner as `user` with `path`, its env holding the canary, and waits for its report. */
function runAs(user: 'root' | 'nobody', path: string, ctx: ProbeContext, workRoot: string, unsafe = false): Promise<Report> {
  const node = process.execPath;
  const job = JSON.stringify({ ctx, python: '/usr/bin/python3', path, workRoot, unsafe });
  const argv =
    user === 'root' ? [node, runner, job] : [setpriv, `--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', '--inh-caps=-all', node, runner, job];
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), {
      cwd: scratch,
      env: { PATH: path, HOME: scratch, AGENTSPEC_TEST_CANARY: ctx.canary, ANTHROPIC_API_KEY: ctx.canary },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => {
      if (code !== 0) return reject(new Error(`the escape runner as ${user} exited with ${code}: ${stderr.slice(-2000)}`));
      resolve(JSON.parse(stdout) as Report);
    });
  });
}

describe.each(['root', 'nobody'] as const)('a runtime running as %s', (user) => {
  it('with bubblewrap: every escape probe is blocked, in both languages, and nothing outlives its call', async () => {
    // Prepare
    const ctx: ProbeContext = { hostPid: 0, canary: `canary-${randomUUID()}`, apiPort, marker: randomUUID() };
    const tmp = sharedTmp();
    const probes = escapeProbes(ctx);
    const before = connections;
    // Act
    const report = await runAs(user, `/usr/local/bin:/usr/bin:/bin`, ctx, tmp.dir);
    // Assess: the sandbox was in force, so the destructive probes ran too, and every probe was blocked
    expect(report.isolation.mode).toBe('bubblewrap');
    const ran = new Set(report.outcomes.map((o) => `${o.probe}/${o.language}`));
    for (const probe of probes) for (const language of Object.keys(probe.code)) expect(ran).toContain(`${probe.name}/${language}`);
    const verdicts = report.outcomes
      .filter((o) => o.probe !== 'double fork')
      .map((o) => ({ probe: `${o.probe} (${o.language})`, problem: o.refused ?? probes.find((p) => p.name === o.probe)!.verdict(o.stdout ?? '') }));
    expect(verdicts.filter((v) => v.problem !== null)).toEqual([]);
    expect(connections - before).toBe(0);
    expect(report.outcomes.filter((o) => o.probe === 'double fork').map((o) => o.stdout?.trim())).toEqual(['parent done', 'parent done']);
    expect(await settleEmpty(() => processesWithMarker(ctx.marker))).toEqual([]);
    // The other user's planted directory was never used, nor followed.
    expect(readdirSync(tmp.decoy)).toEqual(['planted']);
    // A root-owned leftover of a dead runtime: removed by a root runtime, left alone (and harmless) for a non-root one.
    expect(existsSync(tmp.rootLeftover)).toBe(user === 'nobody');
  }, 180_000);

  it('without bubblewrap on PATH: every call is refused, naming what is missing', async () => {
    // Prepare
    const ctx: ProbeContext = { hostPid: 0, canary: `canary-${randomUUID()}`, apiPort, marker: randomUUID() };
    const tmp = sharedTmp();
    // Act
    const report = await runAs(user, noBwrapPath, ctx, tmp.dir);
    // Assess
    expect(report.isolation).toMatchObject({ mode: 'refused', missing: expect.arrayContaining(['bubblewrap (not on PATH)']) });
    expect(report.outcomes.length).toBeGreaterThan(0);
    expect(report.outcomes.filter((o) => o.refused === undefined)).toEqual([]);
    expect(report.outcomes.filter((o) => !o.refused?.startsWith('Inline code is refused: it runs only under full isolation'))).toEqual([]);
    expect(processesWithMarker(ctx.marker)).toEqual([]);
  }, 60_000);
});

describe('the probes themselves', () => {
  it('find the ways out when isolation is missing and the unsafe opt-out is set (so a pass above means blocked, not blind)', async () => {
    // Prepare
    const ctx: ProbeContext = { hostPid: 0, canary: `canary-${randomUUID()}`, apiPort, marker: randomUUID() };
    const tmp = sharedTmp();
    const probes = escapeProbes(ctx);
    const before = connections;
    // Act: as nobody, without bubblewrap, explicitly unsafe
    const report = await runAs('nobody', noBwrapPath, ctx, tmp.dir, true);
    // Assess: the proof fails, so no destructive probe ran, and the others found the runtime's secrets and its API
    expect(report.isolation.mode).toBe('unsafe');
    const problems = new Map(
      report.outcomes
        .filter((o) => o.stdout !== undefined && o.probe !== 'double fork')
        .map((o) => [`${o.probe} (${o.language})`, probes.find((p) => p.name === o.probe)!.verdict(o.stdout!)]),
    );
    expect(report.outcomes.filter((o) => probes.find((p) => p.name === o.probe)?.destructive)).toEqual([]);
    expect([...problems.entries()].filter(([name]) => name.startsWith('proof')).map(([, problem]) => problem)).toEqual([
      expect.stringContaining('not its own PID namespace'),
      expect.stringContaining('not its own PID namespace'),
    ]);
    expect([...problems.entries()].filter(([name]) => name.startsWith("the runtime's secrets")).map(([, problem]) => problem)).toEqual([
      expect.stringContaining('parent_environ'),
      expect.stringContaining('parent_environ'),
    ]);
    expect(connections - before).toBeGreaterThan(0);
  }, 60_000);
});
