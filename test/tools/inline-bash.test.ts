/**
 * Inline bash tools end to end through the inline executor and the real
 * sandbox: the original's own examples compiled by our toolchain (the
 * compiled agent's `get_time`, the Ollama agent's `list-files` reading
 * `INPUT_PATH`), the input as `INPUT_<FIELD>` variables and as JSON on
 * stdin, and failures worded as for the other languages.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAgentSpecError } from '../../shared/errors.js';
import { findResource, type IRDocument, type IRTool } from '../../shared/ir/types.js';
import { compile } from '../../shared/lang/index.js';
import { createSandbox, type PooledSandbox } from '../../shared/sandbox/index.js';
import { InlineExecutor, type InlineTool } from '../../shared/tools/inline-executor.js';
import { requireCommand } from '../helpers/require-system.js';
import { ctxFor, envSecret, irWith, skill, vaultFor } from './fixtures.js';

const examples = join(import.meta.dirname, '..', 'fixtures', 'original', 'examples');
const SECRET = 'bash-secret-5e61aa90';

function compiled(path: string): IRDocument {
  const { ir, diagnostics } = compile(readFileSync(join(examples, path), 'utf8'), { file: path });
  if (!ir) throw new Error(`${path} does not compile: ${diagnostics.map((d) => d.message).join('; ')}`);
  return ir;
}

/** The inline tool of skill `name` in `ir`, with an executor over the shared sandbox. */
function executorOf(ir: IRDocument, name: string, env: Record<string, string> = {}): InlineExecutor {
  const tool = findResource(ir, 'Skill', name)?.attributes.tool;
  if (tool?.type !== 'inline') throw new Error(`skill ${name} has no inline tool`);
  return new InlineExecutor(tool, sandbox, vaultFor(ir, env));
}

const bashTool = (code: string, attrs: Partial<InlineTool> = {}): IRTool => ({
  type: 'inline',
  language: 'bash',
  code,
  timeout_ms: 10_000,
  memory_bytes: 256 << 20,
  env: {},
  secrets: {},
  ...attrs,
});

let sandbox: PooledSandbox;

beforeAll(async () => {
  requireCommand('bwrap');
  requireCommand('bash');
  sandbox = createSandbox({ poolSize: 1, warmBash: true, warmPython: false, warmJavascriptMemory: [], logger: () => undefined });
  await sandbox.warm();
});

afterAll(() => sandbox?.close());

describe("the original's bash examples through the inline executor", () => {
  it("compiled-agent's get_time answers the current time (date +%H:%M:%S)", async () => {
    // Prepare
    const ir = compiled('compiled-agent/hello-agent.ias');
    // Act
    const before = new Date();
    const output = await executorOf(ir, 'get_time').execute({ timezone: 'UTC' }, ctxFor());
    const after = new Date();
    // Assess: the sandbox sees the host's time zone file, so the time is the host's local time
    expect(String(output)).toMatch(/^\d{2}:\d{2}:\d{2}$/);
    const clock = (d: Date) => [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
    const seconds = (hms: string) => hms.split(':').reduce((total, part) => total * 60 + Number(part), 0);
    const got = seconds(String(output));
    // within the call, allowing for midnight falling in it
    expect(got >= seconds(clock(before)) ? got <= seconds(clock(after)) : got <= seconds(clock(after)) && seconds(clock(after)) < seconds(clock(before))).toBe(
      true,
    );
  });

  it("ollama-agent's list-files lists the path the model gives as INPUT_PATH, and the working directory without one", async () => {
    // Prepare
    const listFiles = executorOf(compiled('ollama-agent/ollama-agent.ias'), 'list-files');
    // Act
    const usr = String(await listFiles.execute({ path: '/usr' }, ctxFor()));
    const here = String(await listFiles.execute({}, ctxFor()));
    // Assess
    expect(usr).toMatch(/ bin\n/);
    expect(usr).toMatch(/ lib\n?/);
    expect(here).toMatch(/^total 0\n/);
  });
});

describe('inline bash tools', () => {
  let ir: IRDocument;
  beforeAll(() => {
    ir = irWith({
      skills: [
        skill('vars', bashTool(`printf '%s|%s|%s|%s|%s\\n' "$INPUT_NAME" "$INPUT_MAX_DEPTH" "$INPUT_FLAG" "\${INPUT_NESTED-unset}" "$INPUT_MODE"; cat`)),
        skill('declared', bashTool(`printf '%s|%s' "$INPUT_MODE" "$PATH"`, { env: { INPUT_MODE: 'author' } })),
        skill('broken', bashTool(`echo "broke with $T" >&2; exit 2`, { secrets: { T: 'tok' } })),
        skill('forever', bashTool(`while :; do :; done`, { timeout_ms: 500 })),
      ],
      extra: [envSecret('tok', 'TOK')],
    });
  });
  const run = (name: string, input: unknown) => executorOf(ir, name, { TOK: SECRET }).execute(input, ctxFor());

  it('get each top-level scalar field as INPUT_<FIELD> and the whole input as JSON on stdin', async () => {
    const input = { name: 'a b', 'max-depth': 3, flag: true, nested: { x: 1 }, mode: 'model' };
    const output = await run('vars', input);
    expect(output).toBe(`a b|3|true|unset|model\n${JSON.stringify(input)}`);
  });

  it("keep the author's declared env over an input field of the same name, and get the minimal PATH", async () => {
    const output = await run('declared', { mode: 'model' });
    expect(output).toBe('author|/usr/local/bin:/usr/bin:/bin');
  });

  it('turn a non-zero exit into a tool error with the stderr tail, secret redacted', async () => {
    const error = await run('broken', {}).catch((e: unknown) => e);
    expect(isAgentSpecError(error, 'tool_error')).toBe(true);
    expect((error as Error).message).toBe('Inline bash code exited with code 2; stderr ends with: broke with [REDACTED:tok]');
  });

  it('report a timeout', async () => {
    const error = await run('forever', {}).catch((e: unknown) => e);
    expect(isAgentSpecError(error, 'timeout')).toBe(true);
    expect((error as Error).message).toContain('timed out after 500 ms');
  });
});
