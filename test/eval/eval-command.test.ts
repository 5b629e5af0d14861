/**
 * `agentspec eval` end to end: real CLI processes on a 3.0 package whose
 * tool is a real MCP server, answered by the shipped scripted model.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseXml } from './xml.js';

const repo = join(import.meta.dirname, '..', '..');
const fixture = (name: string) => join('test', 'eval', 'fixtures', 'calc', name);
const tmp = mkdtempSync(join(tmpdir(), 'agentspec-eval-'));
const good = join(tmp, 'good.json');

type Run = { code: number | null; stdout: string; stderr: string };

function cli(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['bin/agentspec.js', 'eval', ...args], { cwd: repo, env, encoding: 'utf8', timeout: 120_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr });
    });
  });
}

const { ANTHROPIC_API_KEY: _unused, ...withoutKey } = process.env;
const runs = {} as Record<'good' | 'compared' | 'junit' | 'tagged' | 'noKey' | 'noCases', Run>;

beforeAll(async () => {
  const [first, junit, tagged, noKey, noCases] = await Promise.all([
    cli([fixture('calc.ias'), '--script', fixture('script.json'), '--format', 'json', '--output', good]),
    cli([fixture('calc.ias'), '--script', fixture('script-worse.json'), '--format', 'junit', '--threshold', '0.5', '--concurrency', '2']),
    cli([join('test', 'eval', 'fixtures', 'calc'), '--tags', 'smoke']),
    cli([fixture('calc.ias'), '--live'], withoutKey),
    cli([fixture('calc.ias'), '--tags', 'nightly']),
  ]);
  Object.assign(runs, { good: first, junit, tagged, noKey, noCases });
  runs.compared = await cli([fixture('calc.ias'), '--script', fixture('script-worse.json'), '--compare-to', good]);
}, 180_000);

describe('agentspec eval', () => {
  it('runs every case through the runtime (the tool answers for real), prints the table and writes the report', () => {
    const { code, stdout, stderr } = runs.good;
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^greets\s+calculator\s+exact\s+1\.00\s+0\.80\s+pass/m);
    expect(stdout).toMatch(/^adds\s+calculator\s+contains\s+1\.00\s+1\.00\s+pass/m);
    expect(stdout).toMatch(/^explains\s+calculator\s+semantic\s+0\.67\s+0\.50\s+pass/m);
    expect(stdout).toContain('3/3 passed (100%), required 100% · scripted model');
    expect(stdout).toContain(`Report written to ${good}`);
    const report = JSON.parse(readFileSync(good, 'utf8'));
    expect(report).toMatchObject({ format: 'agentspec-eval', mode: 'scripted', total: 3, passed: 3, pass_rate: 1 });
    // the scripted answer quoted what the MCP server's add tool returned
    expect(report.cases.find((c: { name: string }) => c.name === 'adds').output).toMatch(/^The tool says .*"sum":5/);
  });

  it('compare-to names the regression and exits 1', () => {
    const { code, stdout } = runs.compared;
    expect(code).toBe(1);
    expect(stdout).toContain('Regressions: 1\n  - calculator/adds: 1.00 pass → 0.00 failed');
    expect(stdout).toContain('FAIL calculator/adds\n  expected: "sum":5\n  actual:   It is probably 6');
  });

  it('a pass rate at the threshold exits 0, and junit on stdout is well-formed with the right counts', () => {
    const { code, stdout } = runs.junit;
    expect(code).toBe(0);
    const root = parseXml(stdout);
    expect(root.attrs).toMatchObject({ tests: '3', failures: '1', errors: '0' });
    expect(root.children[0]!.children.map((c) => [c.attrs.name, c.children.map((x) => x.name).join(',')])).toEqual([
      ['greets', 'properties'],
      ['adds', 'properties,failure'],
      ['explains', 'properties'],
    ]);
  });

  it('a folder stands for its .ias file, and --tags keeps the cases carrying a tag', () => {
    expect(runs.tagged.code).toBe(0);
    expect(runs.tagged.stdout).toMatch(/^greets\s/m);
    expect(runs.tagged.stdout).not.toMatch(/^adds\s/m);
    expect(runs.tagged.stdout).toContain('1/1 passed');
  });

  it('--live without the model key fails before any case runs, naming the variable', () => {
    expect(runs.noKey.code).toBe(1);
    expect(runs.noKey.stdout).toBe('');
    expect(runs.noKey.stderr).toBe(
      'error: --live needs the model keys in the environment; not set: ANTHROPIC_API_KEY (for calculator). Without --live the cases run against the scripted model.\n',
    );
  });

  it('a selection without cases evaluates nothing and exits 1', () => {
    expect(runs.noCases.code).toBe(1);
    expect(runs.noCases.stderr).toContain('with tags nightly: nothing was evaluated.');
  });
});
