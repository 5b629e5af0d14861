import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as wait } from 'node:timers/promises';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { IRTool } from '../../shared/ir/types.js';
import { createToolRegistry } from '../../shared/tools/registry.js';
import { ctxFor, envSecret, eventually, irWith, isAlive, skill, vaultFor } from './fixtures.js';

type CommandTool = Extract<IRTool, { type: 'command' }>;
const SECRET = 'cmd-secret-5b2e91d0';
const scratch = mkdtempSync(join(tmpdir(), 'agentspec-cmd-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A command tool running `node -e <script> …args`. */
function nodeTool(script: string, attrs: Partial<CommandTool> = {}): CommandTool {
  return { type: 'command', binary: process.execPath, args: ['-e', script], timeout_ms: 10_000, env: {}, secrets: {}, ...attrs };
}

function registryFor(tool: CommandTool) {
  const ir = irWith({ skills: [skill('cmd', tool)], extra: [envSecret('token', 'CMD_TOKEN')] });
  return createToolRegistry(ir, { secrets: vaultFor(ir, { CMD_TOKEN: SECRET }), maxOutputBytes: 64 * 1024 });
}

/** The pid a process wrote to `file`, once written (real time: node:timers/promises is not faked). */
async function pidWrittenTo(file: string): Promise<number> {
  for (;;) {
    const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
    if (text) return Number(text);
    await wait(10);
  }
}

describe('command executor', () => {
  it('gives the input as JSON on stdin and returns JSON stdout as JSON', async () => {
    const registry = registryFor(
      nodeTool('let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const i=JSON.parse(s);console.log(JSON.stringify({doubled:i.n*2}))})'),
    );

    const result = await registry.call('bot', 'cmd', { n: 21 }, ctxFor());

    expect(result).toEqual({ ok: true, output: { doubled: 42 } });
  });

  it('returns non-JSON stdout as trimmed text', async () => {
    const registry = registryFor(nodeTool('console.log("  hello world  ")'));

    expect(await registry.call('bot', 'cmd', {}, ctxFor())).toEqual({ ok: true, output: 'hello world' });
  });

  it('turns a non-zero exit into an error carrying the tail of stderr, with secrets redacted', async () => {
    const registry = registryFor(nodeTool('console.error("bad thing with " + process.env.TOKEN); process.exit(4)', { secrets: { TOKEN: 'token' } }));

    const result = await registry.call('bot', 'cmd', {}, ctxFor());

    expect(result.ok).toBe(false);
    const error = (result as { error: string }).error;
    expect(error).toContain('exited with code 4');
    expect(error).toContain('bad thing with [REDACTED:token]');
    expect(error).not.toContain(SECRET);
  });

  it('kills the whole process group, grandchild included, on timeout', async () => {
    const pidFile = join(scratch, 'grandchild.pid');
    const script = `const c=require("child_process").spawn(process.execPath,["-e","setInterval(()=>{},1000)"],{stdio:"ignore"});require("fs").writeFileSync(${JSON.stringify(pidFile)},String(c.pid));setInterval(()=>{},1000)`;
    const registry = registryFor(nodeTool(script, { timeout_ms: 2_500 }));
    // the tool's timeout runs on a fake clock, moved once the grandchild runs (so the kill cannot come before it)
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    let result: unknown;
    let grandchild: number;
    try {
      const pending = registry.call('bot', 'cmd', {}, ctxFor());
      grandchild = await pidWrittenTo(pidFile);
      vi.advanceTimersByTime(2_500);
      result = await pending;
    } finally {
      vi.useRealTimers();
    }

    expect(result).toEqual({ ok: false, error: expect.stringContaining('timed out after 2500 ms') });
    expect(await eventually(() => !isAlive(grandchild))).toBe(true);
  });

  it('gives the command only its declared env, its secrets and a minimal PATH', async () => {
    process.env.AGENTSPEC_PARENT_ONLY = 'parent-value';
    const registry = registryFor(nodeTool('console.log(JSON.stringify(process.env))', { env: { MODE: 'fast' }, secrets: { TOKEN: 'token' } }));

    const result = await registry.call('bot', 'cmd', {}, ctxFor());
    delete process.env.AGENTSPEC_PARENT_ONLY;

    expect(result.ok).toBe(true);
    const env = (result as { output: Record<string, string> }).output;
    expect(Object.keys(env).sort()).toEqual(['MODE', 'PATH', 'TOKEN']);
    expect(env.PATH).toBe('/usr/local/bin:/usr/bin:/bin');
    expect(env.TOKEN).toBe('[REDACTED:token]'); // the command got it; the result returned to the model does not show it
  });

  it('passes arguments literally, without a shell', async () => {
    const registry = registryFor({ type: 'command', binary: '/bin/echo', args: ['$HOME', '`id`', '; rm -rf /', '*'], timeout_ms: 5_000, env: {}, secrets: {} });

    expect(await registry.call('bot', 'cmd', {}, ctxFor())).toEqual({ ok: true, output: '$HOME `id` ; rm -rf / *' });
  });

  it('reports a missing binary as an actionable error', async () => {
    const registry = registryFor({ type: 'command', binary: 'no-such-binary-xyz', args: [], timeout_ms: 5_000, env: {}, secrets: {} });

    expect(await registry.call('bot', 'cmd', {}, ctxFor())).toEqual({ ok: false, error: expect.stringContaining('"no-such-binary-xyz" was not found') });
  });

  it('caps stdout and says so', async () => {
    const registry = registryFor(nodeTool('process.stdout.write("y".repeat(200000))'));

    const result = await registry.call('bot', 'cmd', {}, ctxFor());

    expect(result.ok).toBe(true);
    expect((result as { output: string }).output).toMatch(/^y{65536}\n\[output cut at 64 KiB\]$/);
  });
});
