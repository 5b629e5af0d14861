/**
 * The package as a user gets it: `npm pack` of this checkout (which builds
 * dist/ through the `prepare` script), installed from the tarball into a
 * scratch project with npm, then used there — the `agentspec` command
 * through `npx` (`--no-install`, so it can only be the installed one, never
 * the unrelated `agentspec` package of the npm registry), the library through
 * `import 'agentspec-runtime'`, and its declarations through tsc.
 */
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/free-port.js';

const ROOT = process.cwd();
const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string };

/** The environment of every command: never the checkout's switch to the built CLI, never a model key. */
const ENV = { ...process.env, AGENTSPEC_CLI: undefined, ANTHROPIC_API_KEY: undefined };

function run(command: string, args: string[], cwd: string, timeout = 120_000): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { cwd, env: ENV, timeout, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${command} ${args.join(' ')} failed (${error.code ?? error.signal}):\n${stdout}\n${stderr}`));
      else resolve({ stdout, stderr });
    });
  });
}

const agentspec = (args: string[]) => run('npx', ['--no-install', 'agentspec', ...args], project);

let scratch: string;
let project: string;
let packed: string[];

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'agentspec-pack-'));
  // prepare (the build) prints before npm's JSON report
  const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', scratch], ROOT, 600_000);
  const [report] = JSON.parse(stdout.slice(stdout.search(/^\[/m))) as [{ filename: string; files: { path: string }[] }];
  packed = report.files.map((f) => f.path);
  project = join(scratch, 'project');
  await mkdir(project);
  await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'scratch', version: '1.0.0', private: true, type: 'module' }));
  await run('npm', ['install', join(scratch, report.filename), '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], project, 900_000);
}, 1_200_000);

afterAll(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe('the npm package', () => {
  it('holds the build, the bin, the README and the docs, and no sources or tests', () => {
    for (const file of [
      'package.json',
      'README.md',
      'bin/agentspec.js',
      'dist/esm/cli.mjs',
      'dist/esm/index.mjs',
      'dist/esm/serve.mjs',
      'dist/esm/client.mjs',
      'dist/types/index.d.ts',
      'dist/types/shared/client/index.d.ts',
      'docs/cli.md',
    ]) {
      expect(packed).toContain(file);
    }
    for (const template of ['code-review-pipeline', 'customer-support', 'data-extraction', 'rag-chatbot', 'research-assistant']) {
      expect(packed).toContain(`dist/esm/local/templates/${template}/agents.ias`);
    }
    expect(packed.filter((f) => /^(test|shared|local|functions|infra|bench|scripts|examples)\//.test(f))).toEqual([]);
    // TypeScript only as declarations, plus the files the built code reads as text: the playground script (with its Eval tab module) and the serve entry
    expect(packed.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts')).sort()).toEqual([
      'dist/esm/local/playground/app.ts',
      'dist/esm/local/playground/eval-tab.ts',
      'dist/esm/local/serve-entry.ts',
    ]);
  });

  it('installs a bin that runs the built CLI: npx agentspec --version prints the package version', async () => {
    expect(existsSync(join(project, 'node_modules', pkg.name, 'local'))).toBe(false);
    const { stdout } = await agentspec(['--version']);
    expect(stdout.trim()).toBe(pkg.version);
  });

  it('creates a package from a template with init, and validates it', async () => {
    const init = await agentspec(['init', '--template', 'customer-support', 'my-agent']);
    expect(init.stdout).toContain('Created my-agent/agents.ias from the customer-support template.');
    const template = await readFile(join(ROOT, 'local', 'templates', 'customer-support', 'agents.ias'), 'utf8');
    expect(await readFile(join(project, 'my-agent', 'agents.ias'), 'utf8')).toBe(template);
    const validate = await agentspec(['validate', 'my-agent/agents.ias']);
    expect(validate.stdout).toContain('my-agent/agents.ias is valid.');
  });

  it('serves the package with agentspec dev until Ctrl-C (SIGINT), with its playground page', async () => {
    if (!existsSync(join(project, 'my-agent', 'agents.ias'))) await agentspec(['init', '--template', 'customer-support', 'my-agent']);
    const port = await freePort();
    // its own process group, so SIGINT reaches npx and the CLI as Ctrl-C in a terminal does
    const child = spawn('npx', ['--no-install', 'agentspec', 'dev', 'my-agent/agents.ias', '--port', String(port)], {
      cwd: project,
      env: ENV,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
    const closed = once(child, 'close'); // every holder of its stdout and stderr is gone
    try {
      const health = await pollHealth(`http://127.0.0.1:${port}/healthz`, exited, 120_000).catch((error: Error) => {
        throw new Error(`${error.message}; its output:\n${output}`);
      });
      expect(health).toMatchObject({ status: 'ok', package: { name: 'customer-support' } });
      const page = await fetch(`http://127.0.0.1:${port}/`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<title>AgentSpec playground</title>');
    } finally {
      if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, 'SIGINT');
    }
    // npx itself ends by the signal, as npm does on Ctrl-C; the CLI drains and exits, and nothing of the group is left
    const [code, signal] = await exited;
    expect(code === 0 || signal === 'SIGINT').toBe(true);
    await groupGone(child.pid!, 60_000);
    await closed;
    expect(output).toContain('SIGINT: finishing in-flight requests, then stopping');
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
  });

  it('exports the library: compile a package, serve it with startServer', async () => {
    await writeFile(
      join(project, 'serve.mjs'),
      `import { compile, composeService, startServer } from 'agentspec-runtime';
const { ir, diagnostics } = compile('package "lib" version "1.2.3" lang "2.0"\\n', { file: 'lib.ias' });
if (!ir) throw new Error(JSON.stringify(diagnostics));
const service = await composeService({ ir });
const server = await startServer({ runtime: () => service.runtime, port: 0, apiKeys: false, notice: () => {} });
const health = await (await fetch(server.url + '/healthz')).json();
await server.close();
console.log(JSON.stringify(health.package));
`,
    );
    const { stdout } = await run(process.execPath, ['serve.mjs'], project);
    expect(JSON.parse(stdout)).toEqual({ name: 'lib', version: '1.2.3' });
  });

  it('exports the typed client, which talks to a served package', async () => {
    await writeFile(
      join(project, 'client.mjs'),
      `import { compile, composeService, startServer } from 'agentspec-runtime';
import { AgentSpecApiError, AgentSpecClient } from 'agentspec-runtime/client';
const { ir } = compile('package "lib" version "1.2.3" lang "2.0"\\nagent "solo" {\\n  model "claude-haiku-4-5"\\n}\\n', { file: 'lib.ias' });
const service = await composeService({ ir });
const server = await startServer({ runtime: () => service.runtime, port: 0, apiKeys: ['k'], notice: () => {} });
const client = new AgentSpecClient({ baseUrl: server.url, apiKey: 'k' });
const agents = await client.agents();
const error = await client.invoke('nobody', { message: 'hi' }).catch((e) => e);
await server.close();
console.log(JSON.stringify({ agents: agents.map((a) => a.name), error: error instanceof AgentSpecApiError && error.code }));
`,
    );
    const { stdout } = await run(process.execPath, ['client.mjs'], project);
    expect(JSON.parse(stdout)).toEqual({ agents: ['solo'], error: 'not_found' });
  });

  it('builds a client that loads nothing Node-only, for browsers and edge runtimes', async () => {
    const dist = join(project, 'node_modules', pkg.name, 'dist', 'esm');
    const seen = new Set<string>();
    const builtins: string[] = [];
    const packages = new Set<string>();
    const visit = async (file: string): Promise<void> => {
      if (seen.has(file)) return;
      seen.add(file);
      const code = await readFile(join(dist, file), 'utf8');
      for (const m of code.matchAll(/\bimport\s*["']([^"']+)["']|\bfrom\s*["']([^"']+)["']|\bimport\(\s*["']([^"']+)["']\s*\)/g)) {
        const spec = m[1] ?? m[2] ?? m[3]!;
        if (spec.startsWith('./')) await visit(spec.slice(2));
        else if (spec.startsWith('node:') || builtinModules.includes(spec)) builtins.push(`${file}: ${spec}`);
        else packages.add(spec);
      }
    };
    await visit('client.mjs');
    expect(seen.size).toBeGreaterThan(0);
    expect(builtins).toEqual([]);
    // its one dependency is a parser written for browsers and edge runtimes
    expect([...packages]).toEqual(['eventsource-parser/stream']);
  });

  it('ships declarations a TypeScript project type-checks against', async () => {
    await writeFile(
      join(project, 'use.ts'),
      `import { compile, composeRuntime, startServer, type IRDocument, type ServerOptions } from 'agentspec-runtime';
import { AgentSpecClient, type InvokeResponse } from 'agentspec-runtime/client';
const client = new AgentSpecClient({ baseUrl: 'http://127.0.0.1:1' });
const typed: (agent: string) => Promise<InvokeResponse> = (agent) => client.invoke(agent, { message: 'hi' });
// @ts-expect-error a message is required: the client's types come from the request schema
void client.invoke('a', { variables: {} });
console.log(typed);
const ir: IRDocument | undefined = compile('package "x" version "1.0.0" lang "2.0"\\n', { file: 'x.ias' }).ir;
if (ir) {
  const runtime = await composeRuntime(ir);
  const options: ServerOptions = { runtime: () => runtime, port: 0 };
  await (await startServer(options)).close();
  // @ts-expect-error a port is a number: the declarations are typed, not \`any\`
  const wrong: ServerOptions = { runtime: () => runtime, port: '8080' };
  console.log(wrong);
}
`,
    );
    await writeFile(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'nodenext',
          moduleResolution: 'nodenext',
          target: 'es2022',
          strict: true,
          noEmit: true,
          types: ['node'],
          typeRoots: [join(ROOT, 'node_modules', '@types')],
        },
        files: ['use.ts'],
      }),
    );
    await run(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], project, 300_000);
    // a cold tsc over the package's declarations takes 15–30 s on a loaded 2-core machine: the run's own bound applies
  }, 310_000);
});

/** GETs `url` until it answers 200 (its JSON), failing when the process exits first or `timeoutMs` passes. */
async function pollHealth(url: string, exited: Promise<unknown>, timeoutMs: number): Promise<unknown> {
  let gone = false;
  void exited.then(() => (gone = true));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (gone) throw new Error('agentspec dev exited before answering /healthz');
    const response = await fetch(url).catch(() => undefined);
    if (response?.ok) return response.json();
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms`);
}

/** Waits until no process of the group `pgid` is left (`kill(-pgid, 0)` answers ESRCH). */
async function groupGone(pgid: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      process.kill(-pgid, 0);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ESRCH') return;
      throw error;
    }
    if (Date.now() > deadline) throw new Error(`processes of group ${pgid} still run ${timeoutMs} ms after SIGINT`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
