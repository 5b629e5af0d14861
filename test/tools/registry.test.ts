import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { IRTool } from '../../shared/ir/types.js';
import { AgentSpecError, ErrorCode } from '../../shared/errors.js';
import type { Sandbox, SandboxRunRequest } from '../../shared/sandbox/types.js';
import { createToolRegistry } from '../../shared/tools/registry.js';
import { TOOL_NAME_PATTERN, clientToolName, toToolName } from '../../shared/tools/tool-names.js';
import type { ToolRegistry } from '../../shared/tools/types.js';
import { STDIO_SERVER_SCRIPT } from '../helpers/mcp-servers/start-http-server.js';
import { client, ctxFor, envSecret, irWith, server, skill, vaultFor } from './fixtures.js';

const SECRET = 'reg-secret-0c9d8e7f';
/** A command tool printing `script`'s output. */
const nodeTool = (script: string, attrs: Partial<Extract<IRTool, { type: 'command' }>> = {}): IRTool => ({
  type: 'command',
  binary: process.execPath,
  args: ['-e', script],
  timeout_ms: 10_000,
  env: {},
  secrets: {},
  ...attrs,
});
const numberInput = { type: 'object', properties: { n: { type: 'number' } }, required: ['n'], additionalProperties: false };

let registry: ToolRegistry | undefined;
afterEach(async () => {
  await registry?.close();
  registry = undefined;
});

describe('tool registry', () => {
  it('offers each skill as a tool with its description and input schema', async () => {
    const ir = irWith({ skills: [skill('count-words', nodeTool('1'), { input: numberInput, description: 'Counts words' })] });
    registry = createToolRegistry(ir, { secrets: vaultFor(ir) });

    expect(await registry.definitionsFor('bot')).toEqual([{ name: 'count-words', description: 'Counts words', input_schema: numberInput }]);
  });

  it('rejects input that breaks the input schema before running the tool', async () => {
    const marker = join(mkdtempSync(join(tmpdir(), 'agentspec-reg-')), 'ran');
    const ir = irWith({ skills: [skill('doubler', nodeTool(`require("fs").writeFileSync(${JSON.stringify(marker)}, "1")`), { input: numberInput })] });
    const lines: Record<string, unknown>[] = [];
    registry = createToolRegistry(ir, { secrets: vaultFor(ir), logger: (l) => lines.push(l) });

    const result = await registry.call('bot', 'doubler', { n: 'two', extra: 1 }, ctxFor());

    expect(result.ok).toBe(false);
    const error = (result as { error: string }).error;
    expect(error).toMatch(/^Invalid input for tool "doubler": /);
    expect(error).toContain('/n: Instance type "string" is invalid. Expected "number"');
    expect(error).toContain('(root): property "extra" is not allowed');
    expect(error).toMatch(/\. Fix the input/);
    expect(existsSync(marker)).toBe(false);
    expect(lines.at(-1)).toMatchObject({ msg: 'tool call', tool: 'doubler', status: 'error' });
  });

  it('turns output that breaks the output schema into an error result', async () => {
    const output = { type: 'object', properties: { total: { type: 'number' } }, required: ['total'] };
    const ir = irWith({
      skills: [
        skill('bad', nodeTool('console.log(JSON.stringify({total:"many"}))'), { output }),
        skill('good', nodeTool('console.log(JSON.stringify({total:3}))'), { output }),
      ],
    });
    registry = createToolRegistry(ir, { secrets: vaultFor(ir) });

    const bad = await registry.call('bot', 'bad', {}, ctxFor());
    const good = await registry.call('bot', 'good', {}, ctxFor());

    expect(bad).toEqual({
      ok: false,
      error: expect.stringContaining('does not match its output schema: /total: Instance type "string" is invalid. Expected "number".'),
    });
    expect(good).toEqual({ ok: true, output: { total: 3 } });
  });

  it('reads plain text as the one string field of an output schema, and still checks any other text', async () => {
    const one = { type: 'object', properties: { time: { type: 'string' } } };
    const two = { type: 'object', properties: { time: { type: 'string' }, zone: { type: 'string' } }, required: ['time', 'zone'] };
    const ir = irWith({
      skills: [skill('clock', nodeTool('console.log("12:30:00")'), { output: one }), skill('zoned', nodeTool('console.log("12:30:00")'), { output: two })],
    });
    registry = createToolRegistry(ir, { secrets: vaultFor(ir) });

    const clock = await registry.call('bot', 'clock', {}, ctxFor());
    const zoned = await registry.call('bot', 'zoned', {}, ctxFor());

    expect(clock).toEqual({ ok: true, output: { time: '12:30:00' } });
    expect(zoned).toEqual({ ok: false, error: expect.stringContaining('does not match its output schema') });
  });

  it('answers a tool the agent was not offered with an error result naming what is available', async () => {
    const ir = irWith({ skills: [skill('only-one', nodeTool('1'))] });
    registry = createToolRegistry(ir, { secrets: vaultFor(ir) });

    expect(await registry.call('bot', 'rm-rf', {}, ctxFor())).toEqual({
      ok: false,
      error: 'Tool "rm-rf" is not available to agent "bot". Available tools: only-one.',
    });
    expect(await registry.call('ghost', 'only-one', {}, ctxFor())).toMatchObject({ ok: false });
  });

  it('discovers the tools of the agent clients as <server>__<tool> and calls them', async () => {
    const ir = irWith({
      servers: [server('files', { transport: 'stdio', command: process.execPath, args: [STDIO_SERVER_SCRIPT] })],
      clients: ['kit'],
      extra: [client('kit', ['files'])],
    });
    registry = createToolRegistry(ir, { secrets: vaultFor(ir) });

    const names = (await registry.definitionsFor('bot')).map((d) => d.name);
    const sum = await registry.call('bot', 'files__add', { a: 20, b: 22 }, ctxFor());

    expect(names).toEqual(expect.arrayContaining(['files__echo', 'files__add', 'files__whoami']));
    expect(names.every((n) => TOOL_NAME_PATTERN.test(n))).toBe(true);
    expect(sum).toEqual({ ok: true, output: { sum: 42 } });
  });

  it('offers no client tool of an unreachable server, keeps the skills, and reports the call as an error', async () => {
    const ir = irWith({
      skills: [skill('local', nodeTool('console.log(1)'))],
      servers: [server('gone', { transport: 'stdio', command: '/nonexistent/mcp-server' })],
      clients: ['kit'],
      extra: [client('kit', ['gone']), skill('via-gone', { type: 'mcp', server: 'gone', tool: 'echo' })],
    });
    registry = createToolRegistry(ir, { secrets: vaultFor(ir), mcpConnectTimeoutMs: 5_000 });

    const names = (await registry.definitionsFor('bot')).map((d) => d.name);

    expect(names).toEqual(['local']);
    expect(await registry.call('bot', 'gone__echo', { text: 'x' }, ctxFor())).toMatchObject({ ok: false });
  });

  it('redacts secret values from results, errors and log lines', async () => {
    const ir = irWith({
      skills: [skill('leaky', nodeTool('console.log(process.env.T); console.error("oops " + process.env.T); process.exit(1)', { secrets: { T: 'tok' } }))],
      extra: [envSecret('tok', 'TOK')],
    });
    const lines: Record<string, unknown>[] = [];
    registry = createToolRegistry(ir, { secrets: vaultFor(ir, { TOK: SECRET }), logger: (l) => lines.push(l) });

    const result = await registry.call('bot', 'leaky', {}, ctxFor());

    expect(result).toEqual({ ok: false, error: expect.stringContaining('oops [REDACTED:tok]') });
    expect(JSON.stringify(lines)).not.toContain(SECRET);
    expect(JSON.stringify(lines)).toContain('[REDACTED:tok]');
  });

  it('returns a cancelled error at once when the invocation aborts', async () => {
    // Prepare: a tool that says it runs (a marker file), then sleeps for 20 s
    const marker = join(mkdtempSync(join(tmpdir(), 'agentspec-reg-')), 'running');
    const ir = irWith({ skills: [skill('sleepy', nodeTool(`require("fs").writeFileSync(${JSON.stringify(marker)}, "1"); setTimeout(()=>{}, 20000)`))] });
    registry = createToolRegistry(ir, { secrets: vaultFor(ir) });
    const controller = new AbortController();
    // Act: abort once the tool runs
    const pending = registry.call('bot', 'sleepy', {}, ctxFor(controller.signal));
    await vi.waitFor(() => expect(existsSync(marker)).toBe(true), { timeout: 10_000 });
    controller.abort();
    // Assess
    expect(await pending).toEqual({ ok: false, error: expect.stringContaining('was cancelled') });
  });

  it('runs inline tools through the sandbox, and passes on its refusal as an error result', async () => {
    const requests: SandboxRunRequest[] = [];
    const isolated: Sandbox = {
      isolation: { full: true, missing: [], mode: 'bubblewrap', seccomp: true },
      run: async (request) => {
        requests.push(request);
        return { exitCode: 0, signal: null, stdout: '{"ok":1}\n', stderr: '', timedOut: false, truncated: false, duration_ms: 1 };
      },
      close: async () => {},
    };
    const refusing: Sandbox = {
      isolation: { full: false, missing: ['bubblewrap (not on PATH)'], mode: 'refused', seccomp: false },
      run: async () => {
        throw new AgentSpecError(
          ErrorCode.Unavailable,
          'Inline code is refused: it runs only under full isolation, and this host lacks bubblewrap (not on PATH).',
        );
      },
      close: async () => {},
    };
    const inline: IRTool = {
      type: 'inline',
      language: 'python',
      code: 'print(1)',
      timeout_ms: 1000,
      memory_bytes: 64 << 20,
      env: { MODE: 'x' },
      secrets: { T: 'tok' },
    };
    const ir = irWith({ skills: [skill('py', inline)], extra: [envSecret('tok', 'TOK')] });

    const ran = await createToolRegistry(ir, { secrets: vaultFor(ir, { TOK: SECRET }), sandbox: isolated }).call('bot', 'py', { a: 1 }, ctxFor());
    const refused = await createToolRegistry(ir, { secrets: vaultFor(ir, { TOK: SECRET }), sandbox: refusing }).call('bot', 'py', { a: 1 }, ctxFor());
    const without = await createToolRegistry(ir, { secrets: vaultFor(ir, { TOK: SECRET }) }).call('bot', 'py', { a: 1 }, ctxFor());

    expect(ran).toEqual({ ok: true, output: { ok: 1 } });
    expect(requests).toEqual([
      expect.objectContaining({
        language: 'python',
        code: 'print(1)',
        stdin: '{"a":1}',
        env: { MODE: 'x', T: SECRET },
        timeoutMs: 1000,
        memoryBytes: 64 << 20,
      }),
    ]);
    expect(refused).toEqual({ ok: false, error: expect.stringContaining('Inline code is refused: it runs only under full isolation') });
    expect(without).toEqual({ ok: false, error: expect.stringContaining('this runtime has no sandbox for inline code') });
  });
});

describe('tool names', () => {
  it('keeps valid names and rewrites invalid or long ones into distinct valid names', () => {
    const long = 'a'.repeat(80);

    expect(toToolName('lookup-order')).toBe('lookup-order');
    expect(clientToolName('files', 'read_file')).toBe('files__read_file');
    expect(toToolName('read.file')).toMatch(TOOL_NAME_PATTERN);
    expect(toToolName('read.file')).not.toBe(toToolName('read file'));
    expect(toToolName(long)).toMatch(TOOL_NAME_PATTERN);
    expect(toToolName(long)).not.toBe(toToolName(`${long}b`));
  });
});
