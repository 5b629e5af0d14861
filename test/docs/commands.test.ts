/**
 * The README and docs/ say what works, so this suite runs what they say.
 *
 * - Every IntentLang block (```ias, or an un-languaged block that starts with
 *   a package header) compiles without an error. Markers written as HTML
 *   comments right above a block: `<!-- fragment -->` (statements without the
 *   package header: compiled with one prepended), `<!-- invalid: text -->`
 *   (must fail, with an error containing `text`), `<!-- not-a-package: why -->`
 *   (not compiled; kept rare) and `<!-- file: path -->` (the block is written
 *   to `path` in the scratch directory, for the commands after it).
 * - Every command of every ```bash / ```sh / ```console block runs as written,
 *   in a scratch directory holding a copy of examples/, against the fake
 *   Anthropic API (`ANTHROPIC_BASE_URL`), and must exit 0. `npx agentspec` is
 *   `node bin/agentspec.js` of this checkout. `agentspec dev` / `serve` start
 *   in the background for the `curl` commands after them; the one liberty
 *   taken is the port: a server gets a free one and the documented port in
 *   the curls is rewritten to it (8080 may be taken on a shared machine).
 *   curl gets `--fail-with-body`, so an HTTP error fails the command, and an
 *   SSE `error` event fails it too.
 * - Commands that cannot run here (an AWS account, a real model key, a
 *   deployment, minutes of bundling) are skipped only through `NOT_RUN`, each
 *   with its reason; an entry that matches no documented command fails, and
 *   so does a command that is neither runnable nor listed.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compile } from '../../shared/lang/index.js';
import { startFakeAnthropic, type FakeAnthropic, type FakeReply, type RecordedRequest } from '../helpers/fake-anthropic/index.js';
import { freePort } from '../helpers/free-port.js';
import { requireCommand } from '../helpers/require-system.js';
import { blocksOf, commandsOf, isIas, markdownFiles, SHELL_LANGS, type Block, type Command } from './markdown.js';

const ROOT = process.cwd();
const BIN = join(ROOT, 'bin/agentspec.js');

/** Documented commands this suite does not run, and why. Nothing else is skipped. */
const NOT_RUN: { pattern: RegExp; reason: string }[] = [
  { pattern: /^npm ci\b/, reason: 'reinstalls the node_modules of the checkout this suite runs from (and `npm test` runs every suite, this one included)' },
  { pattern: /^npm (pack|install)\b/, reason: 'packs this checkout and installs it into another project; test/package/pack.test.ts does exactly that' },
  { pattern: /^export ANTHROPIC_API_KEY=/, reason: 'a real model key: every command here talks to the fake Anthropic API instead' },
  { pattern: /^npx cdk (deploy|bootstrap)\b/, reason: 'needs an AWS account' },
  { pattern: /^npx agentspec apply\b.*--target aws\b/, reason: 'deploys to an AWS account' },
  { pattern: /^aws /, reason: 'the AWS CLI against a deployed stack' },
  { pattern: /^curl --aws-sigv4\b/, reason: 'the hot-swap endpoint of a deployed stack, signed with AWS credentials' },
  { pattern: /^npx cdk synth\b/, reason: 'run as written, offline, through the CDK CLI by test/aws/cdk-cli.test.ts, which checks its template' },
  {
    pattern: /^npx agentspec (apply|status|logs|rollback|destroy)\b/,
    reason:
      'starts and stops real deployments (processes, containers, clusters); the test/deploy suites run them against Docker and a recording Kubernetes API',
  },
  { pattern: /^(docker|kubectl) /, reason: 'needs a Docker registry or a Kubernetes cluster' },
  { pattern: /^docker-compose /, reason: 'runs a compose stack from the file `apply` wrote: test/deploy/compose-cli.test.ts runs these commands as written' },
  { pattern: /^npm run bench\b/, reason: 'benchmarks take minutes and measure, they do not check' },
  { pattern: /^(npx vitest|npm test)\b/, reason: 'runs test suites, this one included' },
];

const CLI = /^((?:[A-Z_][A-Z0-9_]*=\S*\s+)*)npx agentspec\b/;
const SERVER = /^(?:[A-Z_][A-Z0-9_]*=\S*\s+)*npx agentspec (dev|serve)\b/;
const CURL = /^curl\b/;

type Step = { kind: 'skip'; reason: string } | { kind: 'cli' | 'server' | 'curl' } | { kind: 'unknown' };

function classify(command: string): Step {
  const skip = NOT_RUN.find((s) => s.pattern.test(command));
  if (skip) return { kind: 'skip', reason: skip.reason };
  if (SERVER.test(command)) return { kind: 'server' };
  if (CLI.test(command)) return { kind: 'cli' };
  if (CURL.test(command)) return { kind: 'curl' };
  return { kind: 'unknown' };
}

const files = markdownFiles();
const blocks = new Map(files.map((file) => [file, blocksOf(file)]));
const allCommands = [...blocks.values()].flat().flatMap((b) => (SHELL_LANGS.has(b.lang) ? commandsOf(b) : []));

/** A package header for `<!-- fragment -->` blocks. */
const HEADER = 'package "doc" version "0.0.0" lang "2.0"\n\n';

/** The errors of an IntentLang block, or what is wrong with its marker. */
function checkIas(block: Block): string | undefined {
  if (block.markers.has('not-a-package')) return undefined;
  const fragment = block.markers.has('fragment');
  const source = fragment ? HEADER + block.text : block.text;
  const { diagnostics } = compile(source, { file: 'block.ias' });
  // Where each error is in the Markdown file: the block's first line follows its fence.
  const errors = diagnostics
    .filter((d) => d.severity === 'error')
    .map((d) => `${block.file}:${block.line + d.line - (fragment ? 2 : 0)}:${d.column}: ${d.message}`);
  const expected = block.markers.get('invalid');
  if (expected === undefined) return errors.length ? errors.join('\n') : undefined;
  if (errors.some((e) => e.toLowerCase().includes(expected.toLowerCase()))) return undefined;
  return `${block.file}:${block.line}: marked invalid ("${expected}") but its errors are: ${errors.join('; ') || 'none'}`;
}

/** Replies like Claude would to the documented requests: an order id asked about is looked up once, then answered. */
function reply(request: RecordedRequest): FakeReply {
  const messages = request.body.messages as { role: string; content: unknown }[];
  const last = JSON.stringify(messages.at(-1)?.content ?? '');
  const tools = ((request.body.tools ?? []) as { name: string }[]).map((t) => t.name);
  const order = /A-\d{4}/.exec(last)?.[0];
  if (order && tools.includes('lookup-order') && !last.includes('tool_result')) {
    return { toolUses: [{ name: 'lookup-order', input: { order_id: order } }] };
  }
  return { text: 'Order A-1001 has shipped with DHL.' };
}

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function sh(command: string, cwd: string, env: NodeJS.ProcessEnv): Promise<Result> {
  return new Promise((done) => {
    execFile('bash', ['-c', command], { cwd, env, timeout: 45_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
      done({ code, stdout, stderr: error && code === null ? `${stderr}\n${error.message}` : stderr });
    });
  });
}

const tail = (text: string) => text.trim().split('\n').slice(-8).join('\n');

interface Server {
  child: ChildProcess;
  documented: string;
  port: number;
}

/** Runs the blocks of one Markdown file in order, in its own scratch directory. */
class DocRun {
  readonly failures: string[] = [];
  private server: Server | undefined;

  constructor(
    private readonly scratch: string,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  async run(list: Block[]): Promise<void> {
    try {
      for (const block of list) {
        const path = block.markers.get('file');
        if (path !== undefined) {
          mkdirSync(dirname(join(this.scratch, path)), { recursive: true });
          writeFileSync(join(this.scratch, path), `${block.text}\n`);
        }
        if (!SHELL_LANGS.has(block.lang)) continue;
        for (const command of commandsOf(block)) await this.step(command);
      }
    } finally {
      await this.stopServer();
    }
  }

  private fail(command: Command, why: string): void {
    this.failures.push(`${command.at}: \`${command.text}\` ${why}`);
  }

  private async step(command: Command): Promise<void> {
    const step = classify(command.text);
    if (step.kind === 'skip') return;
    if (step.kind === 'unknown') return this.fail(command, 'is neither run by this suite nor listed in NOT_RUN with a reason');
    if (step.kind === 'server') return this.startServer(command);
    let text = command.text.replace(CLI, (_, assignments: string) => `${assignments}node '${BIN}'`);
    if (step.kind === 'curl') {
      const target = /\b(?:localhost|127\.0\.0\.1):(\d+)/.exec(text);
      if (!target || !this.server || target[1] !== this.server.documented) {
        return this.fail(command, `needs a server on port ${target?.[1] ?? '?'}, which no earlier \`agentspec dev\`/\`serve\` of this file started`);
      }
      text = text.replace(/\b(localhost|127\.0\.0\.1):\d+/g, `$1:${this.server.port}`).replace(CURL, 'curl --fail-with-body --max-time 30');
    }
    const result = await sh(text, this.scratch, this.env);
    if (result.code !== 0) return this.fail(command, `exited ${result.code}:\n${tail(result.stderr || result.stdout)}`);
    if (step.kind === 'curl' && /^event: error$/m.test(result.stdout)) this.fail(command, `streamed an error event:\n${tail(result.stdout)}`);
  }

  private async startServer(command: Command): Promise<void> {
    await this.stopServer();
    const port = await freePort();
    const given = /\s(?:--port|-p)[ =](\d+)/.exec(command.text);
    const documented = given?.[1] ?? '8080';
    let text = command.text.replace(CLI, (_, assignments: string) => `${assignments}node '${BIN}'`);
    text = given ? text.replace(given[0], ` --port ${port}`) : `${text} --port ${port}`;
    const child = spawn('bash', ['-c', text], { cwd: this.scratch, env: this.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const listening = await new Promise<boolean>((done) => {
      const timer = setTimeout(() => done(false), 40_000);
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        if (stdout.includes(`:${port}`)) {
          clearTimeout(timer);
          done(true);
        }
      });
      child.once('exit', () => {
        clearTimeout(timer);
        done(false);
      });
    });
    this.server = { child, documented, port };
    if (!listening) {
      await this.stopServer();
      this.fail(command, `did not start serving on its port:\n${tail(stderr || stdout)}`);
    }
  }

  private async stopServer(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server || server.child.exitCode !== null || server.child.signalCode !== null) return;
    const exited = once(server.child, 'exit');
    const signal = (name: NodeJS.Signals) => {
      try {
        process.kill(-server.child.pid!, name);
      } catch {
        // the group is gone already
      }
    };
    signal('SIGTERM');
    const timer = setTimeout(() => signal('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  }
}

describe('README and docs', () => {
  let fake: FakeAnthropic;
  const scratches: string[] = [];

  beforeAll(async () => {
    requireCommand('curl');
    requireCommand('bwrap');
    fake = await startFakeAnthropic();
    fake.respond(reply);
  });

  afterAll(async () => {
    await fake?.close();
    for (const dir of scratches) rmSync(dir, { recursive: true, force: true });
  });

  it('every IntentLang block compiles (or fails as its marker says)', () => {
    const ias = [...blocks.values()].flat().filter(isIas);
    expect(ias.length).toBeGreaterThan(10);
    expect(ias.map(checkIas).filter((e) => e !== undefined)).toEqual([]);
  });

  it('skips only commands listed in NOT_RUN, and every entry there is used', () => {
    const unused = NOT_RUN.filter((s) => !allCommands.some((c) => s.pattern.test(c.text))).map((s) => String(s.pattern));
    expect(unused).toEqual([]);
    const unknown = allCommands.filter((c) => classify(c.text).kind === 'unknown').map((c) => `${c.at}: ${c.text}`);
    expect(unknown).toEqual([]);
  });

  it.concurrent.each(files.filter((f) => blocks.get(f)!.some((b) => SHELL_LANGS.has(b.lang))))(
    'the commands of %s run as written',
    async (file) => {
      const scratch = mkdtempSync(join(tmpdir(), 'agentspec-docs-'));
      scratches.push(scratch);
      cpSync(resolve(ROOT, 'examples'), join(scratch, 'examples'), { recursive: true });
      // Scripts beside a package (the example's MCP server) import the SDK from node_modules.
      symlinkSync(resolve(ROOT, 'node_modules'), join(scratch, 'node_modules'));
      const env: NodeJS.ProcessEnv = { ...process.env, ANTHROPIC_BASE_URL: fake.url, ANTHROPIC_API_KEY: 'test-key' };
      for (const name of Object.keys(env)) if (/^(AGENTSPEC_|REDIS_URL|OTEL_|PORT$|HOST$)/.test(name)) delete env[name];
      const run = new DocRun(scratch, env);
      await run.run(blocks.get(file)!);
      expect(run.failures).toEqual([]);
    },
    120_000,
  );
});
