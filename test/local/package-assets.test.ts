/**
 * The package asset step (local/package/package-assets.ts): the support
 * example's order server bundled into one file that runs with plain `node`
 * from a folder without node_modules and answers `tools/list` to the official
 * SDK client; referenced files copied as they are, unreferenced ones left
 * out; references outside the package folder or to missing scripts refused
 * with the resource and the file named; the same inputs give the same bytes.
 */
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, describe, expect, it } from 'vitest';
import { compile } from '../../shared/lang/index.js';
import type { IRDocument } from '../../shared/ir/types.js';
import { packageAsset, writePackageAsset } from '../../local/package/package-assets.js';

const SUPPORT_DIR = resolve('examples/support');
const temporary: string[] = [];

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'agentspec-asset-'));
  temporary.push(dir);
  return dir;
}

function irOf(source: string): IRDocument {
  const { ir, diagnostics } = compile(`package "assets" version "1.0.0" lang "2.0"\n${source}`, { file: 'agents.ias' });
  if (!ir) throw new Error(`test package does not compile: ${diagnostics.map((d) => d.message).join('; ')}`);
  return ir;
}

const server = (name: string, command: string, args: string[]) =>
  `server "${name}" {\n  transport "stdio"\n  command "${command}"\n  args [${args.map((a) => JSON.stringify(a)).join(', ')}]\n}\n`;

/** A package folder holding `files` (path → text), its IR from `source`. */
function packageWith(files: Record<string, string>): string {
  const dir = tempDir();
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

function supportIR(): IRDocument {
  const { ir } = compile(readFileSync(join(SUPPORT_DIR, 'agents.ias'), 'utf8'), { file: 'agents.ias' });
  return ir!;
}

afterAll(() => {
  for (const dir of temporary) rmSync(dir, { recursive: true, force: true });
});

describe('the package asset', () => {
  it('bundles the support example’s order server into one file that answers tools/list with plain node and no node_modules', async () => {
    // Prepare
    const asset = packageAsset(supportIR(), SUPPORT_DIR);
    const dir = tempDir();
    writePackageAsset(asset, dir);
    const client = new Client({ name: 'asset-test', version: '1.0.0' });
    // Act: only the bundled file, in a folder with no node_modules on its way up
    await client.connect(new StdioClientTransport({ command: process.execPath, args: ['orders-server.mjs'], cwd: dir, stderr: 'pipe' }));
    try {
      const { tools } = await client.listTools();
      const answer = await client.callTool({ name: 'get_order', arguments: { order_id: 'A-1001' } });
      // Assess
      expect(asset.files.map((f) => f.path)).toEqual(['orders-server.mjs']);
      expect(readdirSync(dir)).toEqual(['orders-server.mjs']);
      expect(tools.map((t) => t.name).sort()).toEqual(['cancel_order', 'get_order']);
      expect(answer.content).toEqual([{ type: 'text', text: expect.stringContaining('"carrier":"DHL"') }]);
    } finally {
      await client.close();
    }
  }, 60_000);

  it('gives the same bytes and digest for the same inputs', () => {
    // Prepare
    const first = packageAsset(supportIR(), SUPPORT_DIR);
    const [one, two] = [tempDir(), tempDir()];
    // Act
    const second = packageAsset(supportIR(), SUPPORT_DIR);
    writePackageAsset(first, one);
    writePackageAsset(second, two);
    // Assess
    expect(second.digest).toBe(first.digest);
    expect(Buffer.from(second.files[0]!.bytes).equals(Buffer.from(first.files[0]!.bytes))).toBe(true);
    expect(readFileSync(join(one, 'orders-server.mjs')).equals(readFileSync(join(two, 'orders-server.mjs')))).toBe(true);
  }, 60_000);

  it('copies other referenced files and folders as they are, keeps the executable bit, and leaves unreferenced files out', () => {
    // Prepare
    const dir = packageWith({
      'bin/tool.sh': '#!/bin/sh\necho hi\n',
      'config/servers.json': '{"a":1}\n',
      'pages/a.md': 'A\n',
      'pages/deep/b.md': 'B\n',
      'notes.txt': 'not referenced\n',
      'agents.ias': 'the source is not shipped\n',
    });
    chmodSync(join(dir, 'bin/tool.sh'), 0o755);
    const ir = irOf(server('tool', './bin/tool.sh', ['--config', 'config/servers.json', './pages', 'stdio']));
    // Act
    const asset = packageAsset(ir, dir);
    const out = tempDir();
    writePackageAsset(asset, out);
    // Assess
    expect(asset.files.map((f) => [f.path, f.mode])).toEqual([
      ['bin/tool.sh', 0o755],
      ['config/servers.json', 0o644],
      ['pages/a.md', 0o644],
      ['pages/deep/b.md', 0o644],
    ]);
    expect(readFileSync(join(out, 'config/servers.json'), 'utf8')).toBe('{"a":1}\n');
    expect(statSync(join(out, 'bin/tool.sh')).mode & 0o777).toBe(0o755);
  });

  it('bundles a CommonJS script as CommonJS under its own name', async () => {
    // Prepare
    const dir = packageWith({ 'lib/greet.cjs': 'module.exports = () => "hello";\n', 'server.cjs': 'process.stdout.write(require("./lib/greet.cjs")());\n' });
    // Act
    const asset = packageAsset(irOf(server('cjs', 'node', ['server.cjs'])), dir);
    const out = tempDir();
    writePackageAsset(asset, out);
    const { execFileSync } = await import('node:child_process');
    // Assess: one file, lib/ inlined
    expect(asset.files.map((f) => f.path)).toEqual(['server.cjs']);
    expect(execFileSync(process.execPath, ['server.cjs'], { cwd: out, encoding: 'utf8' })).toBe('hello');
  });

  it('is empty for a package that references no file', () => {
    const asset = packageAsset(irOf('agent "a" {\n  model "claude-haiku-4-5"\n}\n'), packageWith({ 'notes.txt': 'x' }));
    expect(asset.files).toEqual([]);
  });

  it('refuses a reference that leaves the package folder, naming the server and the file', () => {
    // Prepare
    const parent = tempDir();
    const dir = join(parent, 'pkg');
    mkdirSync(dir);
    writeFileSync(join(parent, 'outside.mjs'), 'console.log(1)\n');
    // Act
    const act = () => packageAsset(irOf(server('escape', 'node', ['../outside.mjs'])), dir);
    // Assess
    expect(act).toThrow(expect.objectContaining({ code: 'config_error', details: { resource: 'server "escape"', file: '../outside.mjs' } }));
    expect(act).toThrow('server "escape" args[0] "../outside.mjs" names a file outside the package folder');
  });

  it('refuses a path that climbs out through a subfolder, whatever runs it', () => {
    const dir = packageWith({ 'sub/data.json': '{}' });
    const act = () => packageAsset(irOf(server('climb', 'python3', ['sub/../../data.json'])), dir);
    expect(act).toThrow('server "climb" args[0] "sub/../../data.json" names a file outside the package folder');
  });

  it('refuses a link to a file outside the package folder', () => {
    // Prepare
    const parent = tempDir();
    const dir = join(parent, 'pkg');
    mkdirSync(dir);
    writeFileSync(join(parent, 'secret.txt'), 'not for the image\n');
    symlinkSync(join(parent, 'secret.txt'), join(dir, 'data.txt'));
    // Act
    const act = () => packageAsset(irOf(server('linked', 'cat', ['data.txt'])), dir);
    // Assess
    expect(act).toThrow('server "linked" args[0] "data.txt" is a link to a file outside the package folder');
  });

  it('refuses a script that does not exist, naming the server and the file', () => {
    const act = () => packageAsset(irOf(server('missing', 'node', ['missing-server.mjs'])), packageWith({}));
    expect(act).toThrow('server "missing" args[0] "missing-server.mjs" names a file that does not exist in the package folder');
  });

  it('names the server and the file when bundling fails', () => {
    const dir = packageWith({ 'server.mjs': "import { nothing } from 'no-such-package-anywhere';\nnothing();\n" });
    const act = () => packageAsset(irOf(server('broken', 'node', ['server.mjs'])), dir);
    expect(act).toThrow(/Bundling server\.mjs of server "broken" failed: .*no-such-package-anywhere/);
  });
});
