/**
 * Every bundled example and `agentspec init` template is in canonical format:
 * `agentspec fmt --check` (the command users run in CI) passes on each, so a
 * package copied from them stays unchanged under `fmt --write`.
 */
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

/** `.ias` files under `dir`, at any depth, as paths relative to the checkout. */
function iasFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.ias'))
    .map((name) => join(dir, name))
    .sort();
}

const files = [...iasFiles('examples'), ...iasFiles('local/templates')];

describe('examples and templates are canonical', () => {
  it('finds the bundled examples and the five templates', () => {
    expect(files.filter((f) => f.startsWith('examples/')).length).toBeGreaterThanOrEqual(2);
    expect(files.filter((f) => f.startsWith('local/templates/')).length).toBe(5);
  });

  it.concurrent.each(files)('agentspec fmt --check %s', async (file) => {
    const result = await run(process.execPath, ['bin/agentspec.js', 'fmt', '--check', file]).then(
      () => ({ code: 0, stderr: '' }),
      (error: { code: number; stderr: string }) => ({ code: error.code, stderr: error.stderr }),
    );
    expect(result).toEqual({ code: 0, stderr: '' });
  });
});
