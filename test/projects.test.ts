/**
 * The unit/integration split stays honest: a suite in the unit project (or a
 * test helper it imports) that takes a system part fails here, naming the
 * suite and the call, and no test imports from `bench/`.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { INTEGRATION_SUITES, SYSTEM_PART_CALLS } from './projects.js';

const root = process.cwd();
const suites = readdirSync(join(root, 'test'), { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.test.ts'))
  .map((f) => join('test', f).split('\\').join('/'))
  .sort();

/** Whether a listed entry (a file, or `<folder>/` followed by the `**` glob) names the suite. */
const names = (entry: string, suite: string) => (entry.endsWith('/**/*.test.ts') ? suite.startsWith(entry.slice(0, -'**/*.test.ts'.length)) : entry === suite);
const isIntegration = (suite: string) => INTEGRATION_SUITES.some((entry) => names(entry, suite));

/** The relative imports of a file, resolved to files that exist (`.js` specifiers name `.ts` sources). */
function localImports(file: string): string[] {
  const source = readFileSync(join(root, file), 'utf8');
  const found: string[] = [];
  for (const match of source.matchAll(/\bfrom\s+'(\.[^']+)'|\bimport\(\s*'(\.[^']+)'\s*\)/g)) {
    const target = resolve(root, dirname(file), match[1] ?? match[2]!);
    const candidate = [target.replace(/\.js$/, '.ts'), target].find((p) => existsSync(p));
    if (candidate) found.push(relative(root, candidate).split('\\').join('/'));
  }
  return found;
}

/** The file and every test-local file it reaches through imports. */
function reachedFiles(suite: string): string[] {
  const seen = new Set<string>();
  const pending = [suite];
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    pending.push(...localImports(file).filter((f) => f.startsWith('test/')));
  }
  return [...seen];
}

/** `file: call` for each system part a suite takes, directly or through a helper. */
function systemParts(suite: string): string[] {
  return reachedFiles(suite).flatMap((file) => {
    const source = readFileSync(join(root, file), 'utf8');
    return SYSTEM_PART_CALLS.flatMap((call) => {
      const hit = call.exec(source);
      return hit ? [`${file}: ${source.slice(hit.index, source.indexOf(')', hit.index) + 1)}`] : [];
    });
  });
}

describe('the vitest projects', () => {
  it('list only integration suites that exist', () => {
    expect(INTEGRATION_SUITES.filter((entry) => !suites.some((suite) => names(entry, suite)))).toEqual([]);
  });

  it('keep every suite that takes a system part out of the unit project', () => {
    const unit = suites.filter((suite) => !isIntegration(suite));
    const offending = unit.flatMap((suite) => systemParts(suite).map((part) => `${suite} → ${part}`));
    expect(offending).toEqual([]);
  });

  it('see a system part taken through a helper (the check itself works)', () => {
    expect(systemParts('test/sessions/redis-store.test.ts')).toContainEqual(expect.stringMatching(/^test\/helpers\/redis\.ts: startRedis\(/));
    expect(systemParts('test/local/playground.test.ts')).toContainEqual(expect.stringMatching(/requireCommand\('chromium'\)/));
  });
});

describe('test/', () => {
  it('imports nothing from bench/', () => {
    const all = readdirSync(join(root, 'test'), { recursive: true, encoding: 'utf8' })
      .filter((f) => /\.(ts|mjs|js)$/.test(f))
      .map((f) => join('test', f).split('\\').join('/'));
    expect(all.filter((file) => localImports(file).some((target) => target.startsWith('bench/')))).toEqual([]);
  });
});
