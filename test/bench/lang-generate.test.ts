/** The language bench's generated 3.0 input is valid: the one-file package and the import graph compile without error or warning. */
import { describe, expect, it } from 'vitest';
import { generateImportGraph, generatePackageV3 } from '../../bench/lang-generate.js';
import { compile } from '../../shared/lang/index.js';
import { compilePackage } from '../../shared/lang/compile-package.js';

describe('bench/lang-generate.ts', () => {
  it('generates a 3.0 package with every agent block, valid with no diagnostic', () => {
    const source = generatePackageV3(1000);
    const { ir, diagnostics } = compile(source, { file: 'bench.ias' });
    expect(diagnostics).toEqual([]);
    expect(ir?.package.lang).toBe('3.0');
    const agent = ir!.resources.find((r) => r.kind === 'Agent')!;
    expect(Object.keys(agent.attributes)).toEqual(expect.arrayContaining(['config', 'validate', 'eval', 'on_input', 'guardrails']));
  });

  it('generates an import graph whose entry compiles through every file, aliased names qualified', async () => {
    const files = generateImportGraph(50);
    const result = await compilePackage('main.ias', { readFile: (path) => files.get(path) ?? Promise.reject(new Error(`${path}: no such file`)) });
    expect(result.diagnostics).toEqual([]);
    expect(result.files.size).toBe(50);
    const names = result.ir!.resources.map((r) => r.name);
    expect(names).toEqual(expect.arrayContaining(['a-0', 's-49', 'm2.s-2', 'm2.m6.s-6']));
  });
});
