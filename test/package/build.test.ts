/**
 * scripts/build.mjs bundles every module into dist/esm/, so the code that
 * finds files beside its source (templates, the playground) is given, in
 * place of `import.meta.url`, the URL its source file has under the output
 * folder — where the build copies those files. Strings that merely mention
 * `import.meta.url` (the require banners handed to esbuild at run time) stay
 * as written. test/package/pack.test.ts runs the whole package.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageBuildOptions } from '../../scripts/build.mjs';

let out: string;

beforeAll(async () => {
  out = await mkdtemp(join(tmpdir(), 'agentspec-build-'));
});

afterAll(async () => {
  if (out) await rm(out, { recursive: true, force: true });
});

describe('the package build', () => {
  it('gives a bundled module the import.meta URL, dirname and filename of its source file under the output folder, and leaves strings alone', async () => {
    // Arrange: the fixture bundled as the build bundles the CLI, into a scratch folder
    await build({
      ...packageBuildOptions,
      entryPoints: { main: join(process.cwd(), 'test/package/fixtures/where-am-i.ts') },
      outdir: out,
      absWorkingDir: process.cwd(),
    });
    // Act
    const { stdout } = await promisify(execFile)(process.execPath, [join(out, 'main.mjs')]);
    // Assert
    const where = JSON.parse(stdout) as Record<string, string>;
    const source = join(out, 'test', 'package', 'fixtures', 'where-am-i.js');
    expect(where).toEqual({
      url: pathToFileURL(source).href,
      dir: join(out, 'test', 'package', 'fixtures'),
      dirname: join(out, 'test', 'package', 'fixtures'),
      filename: source,
      text: 'createRequire(import.meta.url)',
    });
  });
});
