/** `agentspec migrate --to-v3` end to end (real `agentspec` processes): printed or written in place, idempotent, and its input errors. */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const repo = join(import.meta.dirname, '..', '..');
const tmp = mkdtempSync(join(tmpdir(), 'agentspec-migrate-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

type Run = { code: number | null; stdout: string; stderr: string };

function cli(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['bin/agentspec.js', ...args], { cwd: repo, encoding: 'utf8', timeout: 120_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr });
    });
  });
}

const V2 = `package "m" version "1.0.0" lang "2.0" # kept
# kept too
prompt "p" {
  content "x"
}

agent "a" {
  uses prompt "p"
  model "claude-sonnet-4-20250514"
}
`;

describe('agentspec migrate --to-v3', () => {
  it('prints the 3.0 source on stdout and the changes on stderr, leaving the file alone', async () => {
    const file = join(tmp, 'print.ias');
    writeFileSync(file, V2);
    const r = await cli(['migrate', '--to-v3', file]);
    expect(r).toMatchObject({ code: 0, stdout: V2.replace('lang "2.0"', 'lang "3.0"') });
    expect(r.stderr).toBe(`${file}:1: lang "2.0" → lang "3.0"\n`);
    expect(readFileSync(file, 'utf8')).toBe(V2);
  });

  it('--write rewrites the file in place; a second run changes nothing and says so', async () => {
    const file = join(tmp, 'write.ias');
    writeFileSync(file, V2);
    const first = await cli(['migrate', '--to-v3', file, '--write']);
    expect(first).toMatchObject({ code: 0, stdout: '' });
    expect(readFileSync(file, 'utf8')).toBe(V2.replace('lang "2.0"', 'lang "3.0"'));
    const second = await cli(['migrate', '--to-v3', file, '--write']);
    expect(second).toMatchObject({ code: 0, stdout: '' });
    expect(second.stderr).toContain('declares lang "3.0" already; nothing to change');
    expect(readFileSync(file, 'utf8')).toBe(V2.replace('lang "2.0"', 'lang "3.0"'));
  });

  it('needs exactly one of --to-v2 and --to-v3, and sends a 1.0 file to --to-v2 first', async () => {
    const file = join(tmp, 'old.ias');
    writeFileSync(file, 'package "o" version "1.0.0" lang "1.0"\n');
    const [neither, both, old] = await Promise.all([cli(['migrate', file]), cli(['migrate', '--to-v2', '--to-v3', file]), cli(['migrate', '--to-v3', file])]);
    for (const r of [neither, both]) {
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('--to-v2 (1.0 → 2.0) or --to-v3 (2.0 → 3.0)');
    }
    expect(old.code).toBe(1);
    expect(old.stderr).toContain('run `agentspec migrate --to-v2');
    expect(readFileSync(file, 'utf8')).toBe('package "o" version "1.0.0" lang "1.0"\n');
  });
});
