// Bundles the Lambda functions with esbuild using exactly the settings the CDK
// stack gives NodejsFunction (infra/bundling.ts reads them from here), so the
// bench measures what ships. Usage: node scripts/build-functions.mjs [outdir]
import { build } from 'esbuild';
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The three functions and their entry files (repo-relative). */
export const FUNCTION_ENTRIES = { run: 'functions/run.ts', stream: 'functions/stream.ts', deploy: 'functions/deploy.ts' };

/**
 * `@aws-sdk/*` is left to the Lambda Node 22 runtime, which ships SDK v3:
 * bundling the DynamoDB, S3, Lambda and Secrets Manager clients would add
 * several hundred KB to every function for no behavioural gain.
 */
export const EXTERNAL_MODULES = ['@aws-sdk/*'];

/** ESM output still meets CommonJS dependencies that call `require`; this gives them one. */
export const ESM_REQUIRE_BANNER = "import { createRequire as __agentspecCreateRequire } from 'node:module'; const require = __agentspecCreateRequire(import.meta.url);";

export const NODE_TARGET = 'node22';

/**
 * Packages replaced by a stub in the bundles: ajv is imported only by the MCP
 * SDK's default validator, which the runtime never builds (it always passes
 * the SDK's @cfworker/json-schema provider). See scripts/bundle-stubs/.
 */
export const BUNDLE_ALIASES = {
  ajv: join(projectRoot, 'scripts', 'bundle-stubs', 'ajv.mjs'),
  'ajv-formats': join(projectRoot, 'scripts', 'bundle-stubs', 'ajv-formats.mjs'),
};

/**
 * NODE_OPTIONS of the deployed functions. Source-mapped stack traces are off
 * by default: with --enable-source-maps, node reads and parses the bundle's
 * map at start-up, which measured ~20 ms of every cold start (the bench
 * prints the figure). `-c sourceMaps=true` turns them on; the maps ship in
 * the asset either way, for decoding a trace offline.
 */
export function functionNodeOptions({ sourceMaps = false } = {}) {
  return sourceMaps ? '--enable-source-maps' : undefined;
}

/** esbuild options shared by the CDK bundling and this script. */
export const esbuildOptions = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: NODE_TARGET,
  minify: true,
  sourcemap: true,
  sourcesContent: false,
  mainFields: ['module', 'main'],
  external: EXTERNAL_MODULES,
  banner: { js: ESM_REQUIRE_BANNER },
  alias: BUNDLE_ALIASES,
  logLevel: 'warning',
};

/** Builds each function to `<outdir>/<name>/index.mjs`; returns the paths and byte sizes. */
export async function buildFunctions(outdir = join(projectRoot, 'dist', 'functions')) {
  const results = {};
  for (const [name, entry] of Object.entries(FUNCTION_ENTRIES)) {
    const dir = join(outdir, name);
    mkdirSync(dir, { recursive: true });
    const outfile = join(dir, 'index.mjs');
    const result = await build({ ...esbuildOptions, entryPoints: [join(projectRoot, entry)], outfile, metafile: true });
    const bytes = result.metafile.outputs[Object.keys(result.metafile.outputs).find((f) => f.endsWith('index.mjs'))].bytes;
    results[name] = { outfile, bytes };
  }
  return results;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const results = await buildFunctions(process.argv[2] ? resolve(process.argv[2]) : undefined);
  for (const [name, { outfile, bytes }] of Object.entries(results)) console.log(`${name.padEnd(7)} ${(bytes / 1024).toFixed(1).padStart(8)} KB  ${outfile}`);
}
