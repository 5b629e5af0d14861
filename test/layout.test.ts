/**
 * The layout shows the targets: `shared/` is the core every entry point runs
 * and imports nothing from a target folder; there are no import cycles; and a
 * file used by only one other top-level folder lives in that folder — except
 * the core's public modules, which the library entry (`index.ts`) exports.
 * Imports are read with TypeScript's own pre-processor, static and dynamic.
 */
import { readFileSync } from 'node:fs';
import { posix } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { sourceFiles } from './helpers/source-files.js';

const SOURCE_FOLDERS = ['shared', 'functions', 'infra', 'local'];
const TARGET_FOLDERS = ['functions', 'infra', 'local'];

const files = [...SOURCE_FOLDERS.flatMap((dir) => sourceFiles(dir, (name) => name.endsWith('.ts') && !name.endsWith('.d.ts'))), 'index.ts'];
const known = new Set(files);

/** The project files a file imports (relative specifiers only), as checkout paths. */
function importsOf(file: string): string[] {
  const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  return info.importedFiles
    .map(({ fileName }) => fileName)
    .filter((spec) => spec.startsWith('.'))
    .map((spec) => posix.normalize(posix.join(posix.dirname(file), spec)).replace(/\.js$/, '.ts'))
    .filter((path) => known.has(path));
}

const graph = new Map(files.map((file) => [file, importsOf(file)]));
const topOf = (file: string): string => (file.includes('/') ? file.split('/')[0]! : file);

describe('source layout', () => {
  it('reads the imports it checks', () => {
    expect(graph.get('local/cli/main.ts')?.length).toBeGreaterThan(0);
  });

  it('keeps shared/ free of target code', () => {
    const wrong = files
      .filter((file) => file.startsWith('shared/'))
      .flatMap((file) =>
        graph
          .get(file)!
          .filter((dep) => TARGET_FOLDERS.includes(topOf(dep)))
          .map((dep) => `${file} -> ${dep}`),
      );
    expect(wrong).toEqual([]);
  });

  it('has no import cycles', () => {
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const visit = (file: string, path: string[]): void => {
      state.set(file, 'open');
      for (const dep of graph.get(file)!) {
        if (state.get(dep) === 'open') cycles.push([...path.slice(path.indexOf(dep)), file, dep].join(' -> '));
        else if (!state.has(dep)) visit(dep, [...path, file]);
      }
      state.set(file, 'done');
    };
    for (const file of files) if (!state.has(file)) visit(file, []);
    expect(cycles).toEqual([]);
  });

  it('puts a file used by one other top-level folder in that folder', () => {
    const importers = new Map<string, string[]>();
    for (const [file, deps] of graph) for (const dep of deps) importers.set(dep, [...(importers.get(dep) ?? []), file]);
    const publicModules = new Set(graph.get('index.ts'));
    const misplaced = files.filter((file) => {
      const users = importers.get(file) ?? [];
      return users.length > 0 && !publicModules.has(file) && users.every((user) => topOf(user) !== topOf(file)) && new Set(users.map(topOf)).size === 1;
    });
    expect(misplaced).toEqual([]);
  });
});
