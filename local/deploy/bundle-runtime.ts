/**
 * Bundles the runtime server (local/serve-entry.ts) into one ESM file with
 * esbuild, for container images. Built once per process and cached on disk.
 */
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { tmpdir } from 'node:os';
import { build } from 'esbuild';
import { AgentSpecError, ErrorCode } from '../../shared/errors.js';
import { SERVE_ENTRY } from './serve-entry-path.js';

/** ESM output meets CommonJS dependencies that call `require`; this gives them one. */
const REQUIRE_BANNER = "import { createRequire as __agentspecCreateRequire } from 'node:module'; const require = __agentspecCreateRequire(import.meta.url);";

let pending: Promise<string> | undefined;

/** The path of the bundled runtime (`runtime.mjs`), building it on first use. */
export function bundleRuntime(outDir = join(tmpdir(), `agentspec-runtime-bundle-${process.pid}`)): Promise<string> {
  pending ??= (async () => {
    const outfile = join(outDir, 'runtime.mjs');
    await mkdir(dirname(outfile), { recursive: true });
    try {
      await build({
        entryPoints: [SERVE_ENTRY],
        bundle: true,
        platform: 'node',
        format: 'esm',
        target: 'node20',
        minify: true,
        outfile,
        banner: { js: REQUIRE_BANNER },
        logLevel: 'silent',
      });
    } catch (error) {
      pending = undefined;
      throw new AgentSpecError(ErrorCode.DeployError, `Bundling the runtime failed: ${error instanceof Error ? error.message : String(error)}`, {
        cause: error,
      });
    }
    return outfile;
  })();
  return pending;
}
