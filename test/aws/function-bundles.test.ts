/**
 * The shipped artefacts: each function bundled by esbuild with the CDK's
 * settings (scripts/build-functions.mjs), imported by a fresh `node` process
 * as the Lambda runtime does, answering a real request against the fake
 * model. Catches what the source-level tests cannot: a module the bundler
 * orders or drops wrongly, a lazily imported part (the MCP SDK) that does not
 * load from its chunk, an import that only resolves in the repository.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFunctions, projectRoot, type BuiltFunction } from '../../scripts/build-functions.mjs';
import { startFakeAnthropic, type FakeAnthropic } from '../helpers/fake-anthropic/index.js';
import { answerOnce, functionEnvironment } from '../helpers/lambda-bundle/index.js';
import { STDIO_SERVER_SCRIPT } from '../helpers/mcp-servers/start-http-server.js';

const MINIMAL = `package "bundled" version "1.0.0" lang "2.0"
prompt "system" { content "You are terse." }
agent "assistant" {
  uses prompt "system"
  model "claude-sonnet-4-20250514"
}
`;

const WITH_MCP = `package "bundled-mcp" version "1.0.0" lang "2.0"
server "tools" {
  transport "stdio"
  command "${process.execPath}"
  args ["${STDIO_SERVER_SCRIPT}"]
}
skill "add" {
  description "Adds two numbers"
  input {
    a number required
    b number required
  }
  tool mcp "tools/add"
}
prompt "system" { content "Use the tools." }
agent "assistant" {
  uses prompt "system"
  uses skill "add"
  model "claude-sonnet-4-20250514"
}
`;

let fake: FakeAnthropic;
let outdir: string;
let built: Record<'run' | 'stream' | 'deploy', BuiltFunction>;

/** Writes the IR as the CDK stack does and returns the functions' environment. */
function environmentFor(source: string, name: string): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, ...functionEnvironment(source, name, outdir, fake.url), ANTHROPIC_API_KEY: 'bundle-test-key' };
}

beforeAll(async () => {
  fake = await startFakeAnthropic();
  // inside the project, so the external @aws-sdk/* resolve as they do from the Lambda runtime
  outdir = join(projectRoot, 'dist', `test-bundles-${process.pid}`);
  mkdirSync(outdir, { recursive: true });
  built = await buildFunctions(outdir);
}, 120_000);

afterAll(async () => {
  await fake?.close();
  rmSync(outdir, { recursive: true, force: true });
});

describe('bundled Lambda functions', () => {
  it('each function is a minified ESM handler whose lazily used parts are separate chunks', () => {
    // Act / Assess
    for (const name of ['run', 'stream', 'deploy'] as const) {
      expect(built[name].outfile.endsWith('index.mjs')).toBe(true);
      expect(built[name].startupBytes).toBeGreaterThan(10_000);
      // all code, lazy chunks included: the OpenAI SDK (a chunk only an openai/ollama model loads) and RE2 brought it past the old 600 KB
      expect(built[name].bytes).toBeLessThan(1024 * 1024);
    }
    for (const name of ['run', 'stream'] as const) {
      const dir = dirname(built[name].outfile);
      const handler = readFileSync(built[name].outfile, 'utf8');
      const chunks = readdirSync(join(dir, 'chunks')).filter((f) => f.endsWith('.mjs'));
      // the MCP SDK, the OpenTelemetry exporter and prom-client are not compiled at a cold start: only imported on first use
      const mcp = chunks.find((f) => f.startsWith('mcp-sdk-'));
      const tracing = chunks.find((f) => f.startsWith('tracing-'));
      const metrics = chunks.find((f) => f.startsWith('metrics-'));
      expect(mcp).toBeDefined();
      expect(tracing).toBeDefined();
      expect(metrics).toBeDefined();
      expect(handler).toContain(`import("./chunks/${mcp!}")`);
      expect(handler).toContain(`import("./chunks/${tracing!}")`);
      expect(handler).toContain(`import("./chunks/${metrics!}")`);
      expect(readFileSync(join(dir, 'chunks', metrics!), 'utf8')).toContain('agentspec_invocations_total');
      expect(readFileSync(join(dir, 'chunks', mcp!), 'utf8')).toMatch(/StdioClientTransport|stdio/);
      expect(built[name].startupBytes).toBeLessThan(built[name].bytes - 100 * 1024);
      // the SDK's agent toolset (its beta environment worker's bash/file tools) is its own throwing stub
      const all = [handler, ...chunks.map((f) => readFileSync(join(dir, 'chunks', f), 'utf8'))].join('\n');
      expect(all).not.toContain('bash session terminated');
      expect(all).toContain('requires Node.js or a Node-compatible');
    }
  });

  it('run answers an invocation from a fresh process', async () => {
    // Prepare
    const env = environmentFor(MINIMAL, 'minimal');
    fake.script({ text: 'bundled hello' });

    // Act
    const answer = await answerOnce(built.run.outfile, 'run', env);

    // Assess
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body ?? '{}')).toMatchObject({ output: 'bundled hello' });
  });

  it('stream sends the SSE events of an invocation', async () => {
    // Prepare
    const env = environmentFor(MINIMAL, 'minimal');
    fake.script({ text: ['bundled ', 'stream'] });

    // Act
    const answer = await answerOnce(built.stream.outfile, 'stream', env);

    // Assess
    expect(answer.status).toBe(200);
    expect(answer.body).toContain('event: text');
    expect(answer.body).toContain('bundled ');
    expect(answer.body).toContain('event: done');
  });

  it('deploy rejects an invalid package with located diagnostics and touches nothing', async () => {
    // Prepare
    const env = environmentFor(MINIMAL, 'minimal');

    // Act
    const answer = await answerOnce(built.deploy.outfile, 'deploy', env, { body: 'agent "x" {' });

    // Assess
    expect(answer.status).toBe(400);
    const error = JSON.parse(answer.body ?? '{}') as { error: string; details: { diagnostics: { line: number; file: string }[] } };
    expect(error.error).toBe('validation_error');
    expect(error.details.diagnostics[0]).toMatchObject({ line: 1, file: 'package.ias' });
  });

  it('run loads the MCP client on demand and calls a stdio server from the bundle', async () => {
    // Prepare
    const env = environmentFor(WITH_MCP, 'with-mcp');
    const before = fake.requests.length;
    fake.script({ toolUses: [{ name: 'add', input: { a: 2, b: 3 } }] }, { text: 'the sum is 5' });

    // Act
    const answer = await answerOnce(built.run.outfile, 'run', env);

    // Assess
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body ?? '{}')).toMatchObject({ output: 'the sum is 5' });
    const followUp = JSON.stringify(fake.requests[before + 1]?.body.messages);
    expect(followUp).toContain('tool_result');
    expect(followUp).toContain('{\\"sum\\":5}');
  });
});
