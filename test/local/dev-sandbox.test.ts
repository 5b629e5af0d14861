/**
 * Inline tools under `agentspec dev`, as a user runs it: the server says at
 * start-up and in `/healthz` how inline code is isolated; without bubblewrap
 * it still starts and serves, refusing inline calls; and a reload and a
 * Ctrl-C shut the warm pool down without a single error line.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inlineCalcStatements } from '../helpers/inline-calc.js';
import { startFakeAnthropic } from '../helpers/fake-anthropic/index.js';
import { freePort } from '../helpers/free-port.js';
import { requireCommand } from '../helpers/require-system.js';
import { commandLine, descendants } from '../sandbox/sandbox-fixtures.js';

/** The process group of `pid` (the field after the state in /proc/<pid>/stat). */
function processGroup(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
}

const PACKAGE = (description: string) => `package "calc" version "1.0.0" lang "2.0"

${inlineCalcStatements(description)}`;

const CLI = join(process.cwd(), 'bin', 'agentspec.js');
let dir: string;

beforeAll(() => {
  requireCommand('bwrap');
  dir = mkdtempSync(join(tmpdir(), 'agentspec-dev-sandbox-'));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Dev {
  child: ChildProcess;
  url: string;
  stdout: () => string;
  stderr: () => string;
  /** resolves when stdout has a line containing `text` */
  waitFor(text: string): Promise<void>;
  exited: Promise<number | null>;
}

/** Starts `agentspec dev` in its own process group, as a terminal starts a foreground job. */
async function startDev(file: string, env: NodeJS.ProcessEnv): Promise<Dev> {
  const port = await freePort();
  const child = spawn(process.execPath, [CLI, 'dev', file, '--port', String(port)], { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const waiters: { text: string; resolve: () => void }[] = [];
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    for (const waiter of waiters.filter((w) => out.includes(w.text))) waiter.resolve();
  });
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const dev: Dev = {
    child,
    url: `http://127.0.0.1:${port}`,
    stdout: () => out,
    stderr: () => err,
    waitFor: (text) =>
      new Promise<void>((resolve, reject) => {
        if (out.includes(text)) return resolve();
        waiters.push({ text, resolve });
        void exited.then((code) => reject(new Error(`agentspec dev exited (${code}) before printing "${text}": ${err.slice(-1500)}`)));
      }),
    exited,
  };
  await dev.waitFor('Playground:');
  return dev;
}

/** The JSON log lines of a stream of output. */
function jsonLines(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** Polls until `probe` is true, 20 s at most. */
async function until(probe: () => boolean): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('agentspec dev with an inline tool', () => {
  it('reports bubblewrap isolation at start-up and in /healthz; a reload and Ctrl-C stop the warm pool without error lines', async () => {
    // Prepare
    const file = join(dir, 'agents.ias');
    writeFileSync(file, PACKAGE('Double a number'));
    const dev = await startDev(file, { ...process.env, ANTHROPIC_API_KEY: '' });
    try {
      const health = (await (await fetch(`${dev.url}/healthz`)).json()) as { inline_code?: unknown };
      // the pool's interpreters are up before the reload, so the reload really retires a running pool
      const pool = () => descendants(dev.child.pid!).filter((pid) => commandLine(pid).includes('bwrap'));
      await until(() => pool().length >= 2);
      const poolGroups = pool().map(processGroup);
      // Act: an edit reloads the package, then Ctrl-C reaches the whole foreground process group
      writeFileSync(file, PACKAGE('Double any number'));
      await dev.waitFor('Reloaded');
      process.kill(-dev.child.pid!, 'SIGINT');
      const code = await dev.exited;
      // Assess
      expect(health.inline_code).toEqual({ mode: 'bubblewrap', seccomp: true, missing: [] });
      // the pool leads its own process groups, so the terminal's Ctrl-C reaches only the runtime, which closes the pool in order
      expect(poolGroups.length).toBeGreaterThan(0);
      expect(
        poolGroups.filter((group) => group === dev.child.pid),
        JSON.stringify(pool().map((pid) => [pid, processGroup(pid), commandLine(pid).slice(0, 80)])),
      ).toEqual([]);
      expect(dev.stderr()).toContain('"event":"sandbox.isolation"');
      expect(code).toBe(0);
      const lines = dev
        .stderr()
        .split('\n')
        .filter((line) => line.startsWith('{'));
      expect(lines.filter((line) => /"level":"error"|keep dying|Cannot keep/.test(line))).toEqual([]);
    } finally {
      if (dev.child.exitCode === null) process.kill(-dev.child.pid!, 'SIGKILL');
    }
  }, 60_000);

  it('without bubblewrap it still starts and serves, says so, and refuses inline calls', async () => {
    // Prepare: a PATH with python and prlimit but no bwrap
    const bin = join(dir, 'bin');
    mkdirSync(bin, { recursive: true });
    for (const tool of ['python3', 'prlimit']) symlinkSync(requireCommand(tool), join(bin, tool));
    const file = join(dir, 'refused.ias');
    writeFileSync(file, PACKAGE('Double a number'));
    const fake = await startFakeAnthropic();
    fake.script({ toolUses: [{ name: 'double', input: { n: 21 } }] }, { text: 'The tool was refused.' });
    const dev = await startDev(file, { ...process.env, PATH: bin, ANTHROPIC_BASE_URL: fake.url, ANTHROPIC_API_KEY: 'test-key' });
    try {
      // Act
      const health = (await (await fetch(`${dev.url}/healthz`)).json()) as { inline_code?: { mode: string; missing: string[] } };
      const invoked = await fetch(`${dev.url}/v1/agents/calc/invoke`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ message: 'double 21' }),
      });
      const result = (await invoked.json()) as { output: string; tool_calls: { status: string; error?: string }[] };
      // Assess: the server serves, the call is refused with the reason, the model saw the refusal
      expect(health.inline_code).toMatchObject({ mode: 'refused', missing: ['bubblewrap (not on PATH)'] });
      const isolation = jsonLines(dev.stderr()).find((line) => line.event === 'sandbox.isolation');
      expect(isolation).toMatchObject({ level: 'warn', mode: 'refused', msg: expect.stringContaining('apt-get install bubblewrap') });
      expect(invoked.status).toBe(200);
      expect(result.output).toBe('The tool was refused.');
      expect(result.tool_calls).toEqual([
        expect.objectContaining({ status: 'error', error: expect.stringContaining('Inline code is refused: it runs only under full isolation') }),
      ]);
    } finally {
      process.kill(-dev.child.pid!, 'SIGINT');
      await dev.exited;
      await fake.close();
    }
  }, 60_000);
});
