/**
 * The bootstraps' status protocol, with the real interpreters outside the
 * sandbox: `R` when ready, `S<status>\n` on fd 3 only once every byte of the
 * code's output (exit handlers included) is written, and no status on the
 * paths that write after the last moment the bootstrap controls (node's
 * fatal-exception report) or skip it (os._exit); for bash, also its header
 * (NUL-separated fields), its environment and its limits.
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BASH_BOOTSTRAP, encodeBashHeader, encodeHeader, NODE_BOOTSTRAP, PYTHON_BOOTSTRAP, type BootstrapHeader } from '../../shared/sandbox/bootstraps.js';
import { requireCommand } from '../helpers/require-system.js';

type Language = 'python' | 'javascript' | 'bash';

interface BootstrapRun {
  channel: string;
  stdout: string;
  stderr: string;
  code: number | null;
  signal: NodeJS.Signals | null;
}

let dir: string;
let python: string;
let bash: string;

beforeAll(() => {
  python = requireCommand('python3');
  bash = requireCommand('bash');
  dir = mkdtempSync(join(tmpdir(), 'agentspec-bootstrap-test-'));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function argv(language: Language): [string, string[]] {
  if (language === 'bash') return [bash, ['--norc', '--noprofile', '-c', BASH_BOOTSTRAP, 'agentspec-bash']];
  return language === 'python' ? [python, ['-S', '-I', '-c', PYTHON_BOOTSTRAP]] : [process.execPath, ['-e', NODE_BOOTSTRAP]];
}

function header(language: Language, code: string, extra: Partial<BootstrapHeader> = {}): Buffer {
  const full = { code, env: {}, limits: {}, ...extra };
  return language === 'bash' ? encodeBashHeader(full) : encodeHeader(full);
}

function collect(stream: Readable | null | undefined): Promise<string> {
  const chunks: Buffer[] = [];
  stream?.on('data', (chunk: Buffer) => chunks.push(chunk));
  return new Promise((resolve) => stream?.once('close', () => resolve(Buffer.concat(chunks).toString('utf8'))));
}

/** Runs one bootstrap to its end with `code`, capturing fd 3 apart from stdout and stderr. */
async function runBootstrap(language: Language, code: string, extra: Partial<BootstrapHeader> = {}, input = ''): Promise<BootstrapRun> {
  const [command, args] = argv(language);
  const child = spawn(command, args, { cwd: dir, env: {}, stdio: ['pipe', 'pipe', 'pipe', 'pipe'] });
  const outputs = Promise.all([collect(child.stdio[3] as Readable), collect(child.stdout), collect(child.stderr)]);
  child.stdin.write(header(language, code, extra));
  child.stdin.end(input);
  const [code_, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.once('exit', (c, s) => resolve([c, s])));
  const [channel, stdout, stderr] = await outputs;
  return { channel, stdout, stderr, code: code_, signal };
}

/** Runs one bootstrap with stdout and fd 3 on one file, so the file shows which came first. */
async function interleaved(language: Language, code: string): Promise<string> {
  const [command, args] = argv(language);
  const file = join(dir, `interleaved-${language}.txt`);
  const fd = openSync(file, 'w');
  try {
    const child = spawn(command, args, { cwd: dir, env: {}, stdio: ['pipe', fd, 'ignore', fd] });
    child.stdin?.end(header(language, code));
    await new Promise((resolve) => child.once('exit', resolve));
  } finally {
    closeSync(fd);
  }
  return readFileSync(file, 'utf8');
}

describe.each(['python', 'javascript', 'bash'] as const)('the %s bootstrap', (language) => {
  it('reports status 0 when the code ends normally, and exits with it', async () => {
    // Prepare
    const code = { python: `print('done')`, javascript: `setTimeout(() => console.log('done'), 5)`, bash: `sleep 0.005; echo done` }[language];
    // Act
    const run = await runBootstrap(language, code);
    // Assess
    expect(run).toMatchObject({ channel: 'RS0\n', stdout: 'done\n', code: 0 });
  });

  it('reports the status the code exits with, reduced to a byte like a real exit', async () => {
    const code = { python: `import sys\nsys.exit(300)`, javascript: `process.exit(300)`, bash: `exit 300` }[language];
    const run = await runBootstrap(language, code);
    expect(run).toMatchObject({ channel: 'RS44\n', code: 44 });
  });

  it('reports the status only after the last output, exit handlers included', async () => {
    // Prepare: output from the code, then from an exit handler that runs after it asked to exit
    const code = {
      python: `import atexit, sys\nprint('body', flush=True)\natexit.register(lambda: print('bye'))\nsys.exit(3)`,
      javascript: `console.log('body'); process.on('exit', () => console.log('bye')); process.exit(3);`,
      bash: `echo body; trap 'echo bye' EXIT; exit 3`,
    }[language];
    // Act
    const file = await interleaved(language, code);
    // Assess
    expect(file).toBe('Rbody\nbye\nS3\n');
  });
});

describe('the javascript bootstrap', () => {
  it('reports no status for an uncaught exception: node prints it after the exit handlers', async () => {
    const run = await runBootstrap('javascript', `throw new Error('uncaught-boom')`);
    expect(run).toMatchObject({ channel: 'R', code: 1 });
    expect(run.stderr).toContain('uncaught-boom');
  });

  it('reports no status for an unhandled rejection, which ends as exit 1 with its message', async () => {
    const run = await runBootstrap('javascript', `Promise.reject(new Error('rejected-boom'))`);
    expect(run).toMatchObject({ channel: 'R', code: 1 });
    expect(run.stderr).toContain('rejected-boom');
  });

  it('reports the status of a handled exception normally', async () => {
    const code = `process.on('uncaughtException', (e) => { console.log('handled ' + e.message); process.exitCode = 2; }); throw new Error('x')`;
    const run = await runBootstrap('javascript', code);
    expect(run).toMatchObject({ channel: 'RS2\n', stdout: 'handled x\n', code: 2 });
  });

  it('keeps console output going to the real stdout and stderr after warming console into a sink', async () => {
    const run = await runBootstrap('javascript', `console.log('out %d', 1); console.error('err'); console.warn('warn')`);
    expect(run).toMatchObject({ stdout: 'out 1\n', stderr: 'err\nwarn\n', code: 0 });
  });
});

describe('the python bootstrap', () => {
  it('reports no status when the code calls os._exit, which skips the bootstrap', async () => {
    const run = await runBootstrap('python', `import os\nos._exit(5)`);
    expect(run).toMatchObject({ channel: 'R', code: 5 });
  });
});

describe('the bash bootstrap', () => {
  it('reads exactly its header: code with quotes, newlines and unicode runs as written, and the tool input reaches the code whole', async () => {
    // Prepare
    const input = JSON.stringify({ text: 'héllo ✓ "quoted" $HOME `x`\n'.repeat(2000) });
    const code = `# ✓ a comment\nprintf '%s\\n' "it's \\"here\\""\ncat`;
    // Act
    const run = await runBootstrap('bash', code, {}, input);
    // Assess
    expect(run).toMatchObject({ channel: 'RS0\n', code: 0, stderr: '' });
    expect(run.stdout).toBe(`it's "here"\n${input}`);
  });

  it('gives the code exactly the header env, whatever the names and values, and names it inline.sh', async () => {
    // Prepare
    const env = { MODE: 'two words', 'dash-name': 'v=1\nline two', EMPTY: '' };
    // Act
    const run = await runBootstrap('bash', `env -0; printf '%s' "$0" >&2`, { env });
    // Assess: bash adds only its own PWD, SHLVL and _
    const seen = Object.fromEntries(
      run.stdout
        .split('\0')
        .filter(Boolean)
        .map((entry) => [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)]),
    );
    const { PWD: _pwd, SHLVL: _shlvl, _: _last, ...declared } = seen;
    expect(declared).toEqual(env);
    expect(run.stderr).toBe('inline.sh');
  });

  it('lowers its memory, CPU, process and file-size limits from the header before the code runs', async () => {
    const limits = { as: 200 * 1024 * 1024, cpu: 7, nproc: 4000, fsize: 8 * 1024 * 1024 };
    const run = await runBootstrap('bash', `ulimit -v; ulimit -Hv; ulimit -t; ulimit -u; ulimit -f`, { limits });
    expect(run.stdout.split('\n')).toEqual(['204800', '204800', '7', '4000', '8192', '']);
  });

  it('leaves fd 3 closed to the code, so the code cannot report a status of its own', async () => {
    const run = await runBootstrap('bash', `echo S0 >&3; exit 4`);
    expect(run).toMatchObject({ channel: 'RS4\n', code: 4 });
  });

  it('reports no status for a code that ends with 128+n (how bash reports signal n) and ends by that signal, as a killed interpreter would', async () => {
    const run = await runBootstrap('bash', `kill -TERM $BASHPID`);
    expect(run).toMatchObject({ channel: 'R', code: null, signal: 'SIGTERM' });
  });

  it('exits with 128+n instead of stopping itself when n is a stop signal', async () => {
    const run = await runBootstrap('bash', `exit $((128 + $(kill -l STOP)))`);
    expect(run).toMatchObject({ channel: 'R', code: 128 + constants.signals.SIGSTOP, signal: null });
  });
});
