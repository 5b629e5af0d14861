/** `npm run bench -- <section>`: a section that does not exist fails at once, listing the ones that do. */
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

function bench(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(join(process.cwd(), 'node_modules/.bin/tsx'), ['bench/main.ts', ...args], { timeout: 30_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('bench/main.ts', () => {
  it('fails before running any bench when one argument names no section, and lists the sections', async () => {
    // Prepare: a real section next to the unknown one, so that running anything would show on stdout
    const sections = readdirSync(join(process.cwd(), 'bench'))
      .filter((f) => f.endsWith('.bench.ts'))
      .map((f) => f.slice(0, -'.bench.ts'.length))
      .sort();
    // Act
    const result = await bench(['lang', 'nosuch']);
    // Assess
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('"nosuch"');
    expect(result.stderr).toContain(`the sections are: ${sections.join(', ')}.`);
    expect(result.stdout).toBe('');
  });
});
