/** The language commands end to end (real `agentspec` processes), and loadPackage's input limits in-process. */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadPackage } from '../../local/package/load-package.js';
import { isAgentSpecError } from '../../shared/errors.js';
import { validateIR } from '../../shared/ir/index.js';

const repo = join(import.meta.dirname, '..', '..');
const corpus = (kind: string, name: string) => join('test', 'fixtures', 'corpus', kind, name);
const tmp = mkdtempSync(join(tmpdir(), 'agentspec-lang-'));

type Run = { code: number | null; stdout: string; stderr: string };

function spawnCli(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['bin/agentspec.js', ...args], { cwd: repo, encoding: 'utf8', timeout: 120_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

// Each CLI process costs a second or more on the shared machines, so every
// command line of this file runs once, up front, a few at a time.
const messy = join(tmp, 'messy.ias');
const written = join(tmp, 'written.ias');
const old = join(tmp, 'old.ias');
const MESSY = 'package "m" version "1.0.0" lang "2.0"\nprompt "p" {   content "x" }\n';
writeFileSync(messy, MESSY);
writeFileSync(written, MESSY);
writeFileSync(old, 'package "o" version "1.0.0" lang "1.0"\nbinding "l" adapter "local-mcp" {\n  port 8000\n}\n');
const COMMANDS = {
  human: ['validate', corpus('invalid', '01-unresolved-skill.ias')],
  jsonValid: ['validate', '--json', corpus('valid', '01-minimal.ias')],
  jsonInvalid: ['validate', '--json', corpus('invalid', '06-max-turns-range.ias')],
  directory: ['validate', 'test'],
  unknownFlag: ['validate', '--frobnicate', corpus('valid', '01-minimal.ias')],
  fmtCheck: ['fmt', '--check', messy],
  fmtWrite: ['fmt', '--write', written],
  exportEnv: ['export', corpus('valid', '09-environments-policy-plugin.ias'), '--env', 'dev'],
  migrate: ['migrate', '--to-v2', old],
  help: ['migrate', '--help'],
} satisfies Record<string, string[]>;
const runs = {} as Record<keyof typeof COMMANDS, Run>;

beforeAll(async () => {
  const queue = Object.entries(COMMANDS) as [keyof typeof COMMANDS, string[]][];
  const worker = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) runs[next[0]] = await spawnCli(next[1]);
  };
  await Promise.all([worker(), worker(), worker()]);
}, 300_000);

async function loadError(path: string): Promise<unknown> {
  try {
    await loadPackage(path);
  } catch (error) {
    return error;
  }
  throw new Error('expected loadPackage to fail');
}

describe('agentspec validate', () => {
  it('exits 1 with file:line:col: error: message (hint: …) lines', () => {
    const r = runs.human;
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      `${corpus('invalid', '01-unresolved-skill.ias')}:19:14: error: Unknown skill "web-serch" referenced by agent "a". (hint: did you mean "web-search"?)`,
    );
  });

  it('--json prints {valid, diagnostics} and exits 0 for a valid file', () => {
    const ok = runs.jsonValid;
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toEqual({ valid: true, diagnostics: [] });
    const bad = runs.jsonInvalid;
    expect(bad.code).toBe(1);
    const body = JSON.parse(bad.stdout) as { valid: boolean; diagnostics: Record<string, unknown>[] };
    expect(body.valid).toBe(false);
    expect(Object.keys(body.diagnostics[0]!).sort()).toEqual(['column', 'file', 'hint', 'line', 'message', 'severity']);
    expect(body.diagnostics[0]).toMatchObject({ severity: 'error', line: 10, column: 13 });
  });

  it('reports a directory as a clear input error, and rejects unknown flags', () => {
    const dir = runs.directory;
    expect(dir.code).toBe(1);
    expect(dir.stderr).toContain('test is a directory');
    const flag = runs.unknownFlag;
    expect(flag.code).not.toBe(0);
    expect(flag.stderr).toContain("unknown option '--frobnicate'");
  });
});

describe('agentspec fmt / export / migrate', () => {
  it('fmt --check exits 1 on a non-canonical file and leaves it alone; fmt --write rewrites it canonically', () => {
    expect(runs.fmtCheck.code).toBe(1);
    expect(runs.fmtCheck.stderr).toContain('is not canonical');
    expect(readFileSync(messy, 'utf8')).toBe(MESSY);
    expect(runs.fmtWrite.code).toBe(0);
    expect(readFileSync(written, 'utf8')).toBe('package "m" version "1.0.0" lang "2.0"\n\nprompt "p" {\n  content "x"\n}\n');
  });

  it('export --env prints schema-valid IR with the overlay applied', () => {
    const r = runs.exportEnv;
    expect(r.code).toBe(0);
    const ir = JSON.parse(r.stdout) as { environment: string };
    expect(validateIR(ir).valid).toBe(true);
    expect(ir.environment).toBe('dev');
  });

  it('migrate --to-v2 prints a 2.0 source; --help documents the command', () => {
    const r = runs.migrate;
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('package "o" version "1.0.0" lang "2.0"\ndeploy "l" target "process" {\n  port 8000\n}\n');
    const help = runs.help;
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--to-v2');
  });
});

describe('loadPackage input limits', () => {
  it('rejects a missing file, a directory, a binary file and a file over 5 MiB with input_error', async () => {
    const binary = join(tmp, 'bin.ias');
    writeFileSync(binary, Buffer.from([0x70, 0x00, 0x01]));
    const big = join(tmp, 'big.ias');
    writeFileSync(big, `# ${'x'.repeat(5 * 1024 * 1024)}\n`);
    const cases: [string, RegExp][] = [
      [join(tmp, 'missing.ias'), /no such file/],
      [tmp, /is a directory/],
      [binary, /binary file/],
      [big, /limit is 5 MiB/],
    ];
    for (const [path, message] of cases) {
      const error = await loadError(path);
      expect(isAgentSpecError(error, 'input_error'), String(error)).toBe(true);
      expect((error as Error).message).toMatch(message);
    }
  });

  it('throws validation_error with the diagnostics for an invalid package, and loads .json IR', async () => {
    const error = await loadError(join(repo, corpus('invalid', '03-duplicate-agent.ias')));
    expect(isAgentSpecError(error, 'validation_error')).toBe(true);
    expect((error as { details: { diagnostics: unknown[] } }).details.diagnostics).toHaveLength(1);
    const { ir } = await loadPackage(join(repo, corpus('valid', '01-minimal.ias')));
    const json = join(tmp, 'ir.json');
    writeFileSync(json, JSON.stringify(ir));
    expect((await loadPackage(json)).ir).toEqual(ir);
  });
});
