/** `agentspec graph`, in-process: where each format goes by default, a directory as input, and the input errors. */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { register } from '../../local/cli/commands/graph.js';
import { isAgentSpecError } from '../../shared/errors.js';
import { extractGraph } from '../../local/graph/extract.js';
import { loadPackage } from '../../local/package/load-package.js';
import { parseDot } from './dot-parser.js';

const tmp = mkdtempSync(join(tmpdir(), 'agentspec-graph-'));
const review = join(tmp, 'review');
mkdirSync(review);
copyFileSync('examples/review/pipeline.ias', join(review, 'pipeline.ias'));

/** Runs `agentspec graph …args` in this process; returns what it printed on stdout. */
async function graph(...args: string[]): Promise<string> {
  const program = new Command('agentspec').exitOverride().configureOutput({ writeErr: () => undefined });
  register(program);
  let out = '';
  const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  try {
    await program.parseAsync(['graph', ...args], { from: 'user' });
  } finally {
    write.mockRestore();
  }
  return out;
}

afterEach(() => vi.restoreAllMocks());

describe('agentspec graph', () => {
  it('writes the HTML page to <package>.graph.html beside the input by default and says so', async () => {
    const out = await graph(join(review, 'pipeline.ias'));
    const page = join(review, 'review.graph.html');
    expect(out).toBe(`${page}: 10 nodes, 11 edges.\n`);
    expect(readFileSync(page, 'utf8')).toMatch(/^<!doctype html>/);
  });

  it('takes a directory holding one .ias file', async () => {
    const out = await graph(review, '--format', 'json');
    const { ir } = await loadPackage(join(review, 'pipeline.ias'));
    expect(JSON.parse(out)).toEqual(extractGraph(ir));
  });

  it('prints DOT on stdout, and writes it where --output says', async () => {
    const printed = await graph(review, '--format', 'dot');
    expect(parseDot(printed).nodes.size).toBe(10);
    const file = join(tmp, 'out.dot');
    await graph(review, '--format', 'dot', '--output', file);
    expect(readFileSync(file, 'utf8')).toBe(printed);
  });

  it('prints the page on stdout with --output -', async () => {
    expect(await graph(review, '--output', '-')).toMatch(/^<!doctype html>[^]*<\/html>\n$/);
  });

  it('applies an environment overlay with --env', async () => {
    const out = await graph('examples/support/agents.ias', '--format', 'json', '--env', 'dev');
    const bot = (JSON.parse(out) as ReturnType<typeof extractGraph>).nodes.find((n) => n.id === 'agent:support-bot');
    expect(bot?.attributes).toMatchObject({ model: 'claude-haiku-4-5', max_turns: 4 });
  });

  it('refuses a directory with no .ias file or with several, naming them', async () => {
    const empty = join(tmp, 'empty');
    mkdirSync(empty);
    await expect(graph(empty)).rejects.toSatisfy((e) => isAgentSpecError(e) && e.code === 'input_error' && e.message.includes('holds no .ias file'));
    const two = join(tmp, 'two');
    mkdirSync(two);
    writeFileSync(join(two, 'a.ias'), '');
    writeFileSync(join(two, 'b.ias'), '');
    await expect(graph(two)).rejects.toSatisfy((e) => isAgentSpecError(e) && e.message.includes('several .ias files that no other imports (a.ias, b.ias)'));
    expect(existsSync(join(two, 'undefined.graph.html'))).toBe(false);
  });

  it('says which output cannot be written', async () => {
    await expect(graph(review, '--output', tmp)).rejects.toSatisfy(
      (e) => isAgentSpecError(e) && e.code === 'input_error' && e.message === `${tmp}: cannot be written (EISDIR).`,
    );
  });

  it('refuses an unknown format', async () => {
    await expect(graph(review, '--format', 'svg')).rejects.toThrow(/Allowed choices are html, dot, json/);
  });
});
