/**
 * Every entry point logs through the one wiring's redacting logger: a secret
 * the process holds (the model key) that reaches a log line — here through a
 * request path, or a tool input the model chose — is redacted on `dev`,
 * `serve`, the process and container server (`serve-entry`), `run` and the
 * Lambda run function.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { compile } from '../../shared/lang/index.js';
import { functionUrlEvent } from '../aws/helpers/lambda-events.js';
import { startFakeAnthropic, type FakeAnthropic } from '../helpers/fake-anthropic/index.js';
import { freePort } from '../helpers/free-port.js';
import { installAwsLambdaGlobal, lambdaContext } from '../helpers/lambda-streaming.js';

const CANARY = `canary-model-key-${randomUUID()}`;
const PACKAGE = `package "logs" version "1.0.0" lang "2.0"

skill "echo" {
  description "Echo the input"
  input {
    text string required
  }
  tool command {
    binary "/bin/cat"
  }
}

agent "helper" {
  uses skill "echo"
  model "claude-haiku-4-5"
}
`;

const CLI = join(process.cwd(), 'bin', 'agentspec.js');
let dir: string;
let file: string;
let fake: FakeAnthropic;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'agentspec-entry-logs-'));
  file = join(dir, 'agents.ias');
  writeFileSync(file, PACKAGE);
  writeFileSync(join(dir, 'ir.json'), JSON.stringify(compile(PACKAGE, { file: 'agents.ias' }).ir));
  fake = await startFakeAnthropic();
});

afterAll(async () => {
  await fake?.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Child {
  stderr: () => string;
  exited: Promise<number | null>;
  stop: () => void;
}

function start(args: string[], env: NodeJS.ProcessEnv): Child {
  const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let err = '';
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  child.stdout.resume();
  return {
    stderr: () => err,
    exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))),
    stop: () => {
      if (child.exitCode === null) process.kill(-child.pid!, 'SIGTERM');
    },
  };
}

/** Waits until the server at `url` answers, or its process ends. */
async function reachable(url: string, child: Child): Promise<void> {
  let ended = false;
  void child.exited.then(() => (ended = true));
  for (;;) {
    if (ended) throw new Error(`the server exited: ${child.stderr().slice(-1500)}`);
    try {
      await fetch(`${url}/healthz`);
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

/** The request log line for a path that carries the canary, once it is written. */
async function requestLine(child: Child): Promise<string> {
  for (;;) {
    const line = child
      .stderr()
      .split('\n')
      .find((l) => l.includes('"msg":"request"') && l.includes('/v1/agents/'));
    if (line) return line;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const HTTP_ENTRY_POINTS = [
  { name: 'agentspec dev', args: (port: number) => [CLI, 'dev', file, '--port', String(port)], env: {} },
  { name: 'agentspec serve', args: (port: number) => [CLI, 'serve', file, '--port', String(port)], env: {} },
  {
    name: 'serve-entry (process and containers)',
    args: () => ['--import', 'tsx', join(process.cwd(), 'local', 'serve-entry.ts')],
    env: { AGENTSPEC_IR: 'IR' },
  },
];

describe.each(HTTP_ENTRY_POINTS)('$name', ({ args, env }) => {
  it('redacts the model key from its request log', async () => {
    // Prepare
    const port = await freePort();
    const child = start(args(port), {
      ...env,
      ...(env.AGENTSPEC_IR ? { AGENTSPEC_IR: join(dir, 'ir.json') } : {}),
      PORT: String(port),
      ANTHROPIC_API_KEY: CANARY,
    });
    try {
      await reachable(`http://127.0.0.1:${port}`, child);
      // Act
      await fetch(`http://127.0.0.1:${port}/v1/agents/${CANARY}`);
      const line = await requestLine(child);
      // Assess
      expect(line).toContain('/v1/agents/[REDACTED:anthropic-api-key]');
      expect(child.stderr()).not.toContain(CANARY);
    } finally {
      child.stop();
      await child.exited;
    }
  }, 60_000);
});

describe('agentspec run', () => {
  it('redacts the model key from the tool lines it prints', async () => {
    // Prepare: the model asks for a tool call whose input carries the key
    fake.script({ toolUses: [{ name: 'echo', input: { text: CANARY } }] }, { text: 'done' });
    // Act
    const child = start([CLI, 'run', 'helper', '--input', 'go', file], { ANTHROPIC_BASE_URL: fake.url, ANTHROPIC_API_KEY: CANARY });
    const code = await child.exited;
    // Assess
    expect(code).toBe(0);
    expect(child.stderr()).toContain('[REDACTED:anthropic-api-key]');
    expect(child.stderr()).not.toContain(CANARY);
  }, 60_000);
});

describe('the Lambda run function', () => {
  const secrets = mockClient(SecretsManagerClient);
  const saved = { ...process.env };
  afterAll(() => {
    process.env = saved;
    secrets.restore();
  });

  it('redacts the model key read from Secrets Manager from its request log', async () => {
    // Prepare
    secrets.on(GetSecretValueCommand, { SecretId: 'arn:anthropic' }).resolves({ SecretString: CANARY });
    Object.assign(process.env, {
      AGENTSPEC_IR_FILE: join(dir, 'ir.json'),
      AGENTSPEC_ANTHROPIC_SECRET: 'arn:anthropic',
      AGENTSPEC_API_KEYS: 'client-key',
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
    });
    delete process.env.ANTHROPIC_API_KEY;
    installAwsLambdaGlobal();
    const lines: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => (lines.push(String(chunk)), true));
    try {
      const { handler } = await import('../../functions/run.js');
      // Act
      await (handler as unknown as (e: unknown, c: unknown) => Promise<unknown>)(
        functionUrlEvent({ path: `/v1/agents/${CANARY}`, headers: { authorization: 'Bearer client-key' } }),
        lambdaContext(),
      );
    } finally {
      spy.mockRestore();
    }
    // Assess
    expect(lines.find((l) => l.includes('"msg":"request"'))).toContain('/v1/agents/[REDACTED:anthropic-api-key]');
    expect(lines.join('')).not.toContain(CANARY);
  });
});
