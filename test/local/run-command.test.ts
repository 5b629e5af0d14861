/** `agentspec run` end to end: a real CLI process against the fake Anthropic server (and redis-server for a recorded run). */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseVariables } from '../../local/cli/commands/run.js';
import { compile } from '../../shared/lang/index.js';
import { startFakeAnthropic, type FakeAnthropic } from '../helpers/fake-anthropic/index.js';
import { startRedis } from '../helpers/redis.js';
import { RedisRunStore } from '../../local/runs/redis-run-store.js';

const SOURCE = `package "cli" version "1.0.0" lang "2.0"
prompt "p" {
  content "Be {{tone}}; repeat {{times}} times."
  variables {
    tone string default "kind"
    times number default 1
  }
}
skill "shout" {
  description "Repeat the given text"
  input {
    text string required
  }
  tool command {
    binary "cat"
    timeout "5s"
  }
}
agent "helper" {
  uses prompt "p"
  uses skill "shout"
  model "claude-haiku-4-5"
}
`;

function agentspec(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      join(process.cwd(), 'node_modules/.bin/tsx'),
      ['local/cli/main.ts', ...args],
      { env: { ...process.env, ...env, NO_COLOR: '1' }, timeout: 60_000 },
      (error, stdout, stderr) => resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('agentspec run', () => {
  let fake: FakeAnthropic;
  let dir: string;
  let file: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    fake = await startFakeAnthropic();
    dir = await mkdtemp(join(tmpdir(), 'agentspec-run-'));
    file = join(dir, 'agents.ias');
    await writeFile(file, SOURCE);
    env = { ANTHROPIC_BASE_URL: fake.url, ANTHROPIC_API_KEY: 'test-key' };
  });
  afterAll(async () => {
    await fake.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('streams the answer to stdout and tool calls to stderr, typing --var values', async () => {
    // Prepare
    fake.script({ toolUses: [{ name: 'shout', input: { text: 'hey' } }] }, { text: 'Done shouting.' });
    // Act
    const result = await agentspec(['run', 'helper', '--input', 'shout hey', file, '--var', 'tone=brief', '--var', 'times=3'], env);
    // Assess
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('Done shouting.\n');
    expect(result.stderr).toContain('→ shout {"text":"hey"}');
    expect(result.stderr).toMatch(/← shout (ok|error) in \d+ ms/);
    const system = JSON.stringify(fake.requests.at(-2)!.body.system);
    expect(system).toContain('Be brief; repeat 3 times.');
  });

  it('prints the invoke result with --json', async () => {
    fake.script({ text: 'Plain answer.', usage: { input_tokens: 9, output_tokens: 2 } });
    const result = await agentspec(['run', 'helper', '--input', 'hi', file, '--json'], env);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ output: 'Plain answer.', turns: 1, tokens: { input: 9, output: 2 }, tool_calls: [] });
  });

  it('refuses a --var the prompt does not declare, naming it and the declared ones, without calling the model', async () => {
    // Prepare
    const requestsBefore = fake.requests.length;
    // Act
    const result = await agentspec(['run', 'helper', '--input', 'hi', file, '--var', 'tone=brief', '--var', 'tonne=loud'], env);
    // Assess
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('"tonne"');
    expect(result.stderr).toContain('declares: tone, times');
    expect(result.stdout).toBe('');
    expect(fake.requests.length).toBe(requestsBefore);
  });

  it('with REDIS_URL, records the run (streamed, or --json) in Redis as a server would and names it on stderr', async () => {
    // Prepare
    const redis = await startRedis();
    const store = new RedisRunStore({ url: redis.url });
    fake.script({ text: 'Recorded answer.' });
    try {
      // Act
      const result = await agentspec(['run', 'helper', '--input', 'hi', file], { ...env, REDIS_URL: redis.url });
      // Assess
      expect(result.code).toBe(0);
      expect(result.stdout).toBe('Recorded answer.\n');
      const id = /^run (\S+)$/m.exec(result.stderr)?.[1] ?? '';
      expect(await store.get(id)).toMatchObject({ id, kind: 'stream', target: 'helper', status: 'succeeded' });
      const logged = (await store.read(id, 0)).map((e) => e.type);
      expect([logged[0], logged.at(-1), new Set(logged.slice(1, -1))]).toEqual(['run', 'done', new Set(['text'])]);
      fake.script({ text: 'As JSON.' });
      const json = await agentspec(['run', 'helper', '--input', 'hi', file, '--json'], { ...env, REDIS_URL: redis.url });
      const jsonId = /^run (\S+)$/m.exec(json.stderr)?.[1] ?? '';
      expect(JSON.parse(json.stdout)).toMatchObject({ output: 'As JSON.' });
      expect(await store.get(jsonId)).toMatchObject({ kind: 'invoke', status: 'succeeded', result: { output: 'As JSON.' } });
    } finally {
      await store.close();
      await redis.stop();
    }
  });

  it('exits non-zero with the error on stderr when the run fails (no API key)', async () => {
    const noKey = await agentspec(['run', 'helper', '--input', 'hi', file], { ANTHROPIC_BASE_URL: fake.url, ANTHROPIC_API_KEY: '' });
    expect(noKey.code).not.toBe(0);
    expect(noKey.stderr).toContain('ANTHROPIC_API_KEY');
  });
});

describe('agentspec run --var names', () => {
  const irOf = (source: string) => compile(source, { file: 'vars.ias' }).ir!;

  it('takes the placeholders of a prompt without a variables block, and refuses other names', () => {
    // Prepare
    const ir = irOf(`package "v" version "1.0.0" lang "2.0"
prompt "p" { content "Greet {{who}}." }
agent "a" {
  uses prompt "p"
  model "claude-haiku-4-5"
}
`);
    // Act, Assess
    expect(parseVariables(ir, 'a', ['who=Ada'])).toEqual({ who: 'Ada' });
    expect(() => parseVariables(ir, 'a', ['whom=Ada'])).toThrow('agent "a" has no variable "whom"; its prompt "p" declares: who.');
  });

  it('refuses any --var for an agent without a prompt', () => {
    const ir = irOf(`package "v" version "1.0.0" lang "2.0"
agent "a" {
  model "claude-haiku-4-5"
}
`);
    expect(() => parseVariables(ir, 'a', ['x=1'])).toThrow('agent "a" has no variable "x"; it has no prompt, so it takes no variables.');
  });
});
