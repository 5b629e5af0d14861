// Bundles the Lambda functions with esbuild using exactly the settings the CDK
// stack gives NodejsFunction (infra/bundling.ts reads them from here), so the
// bench measures what ships. Usage: node scripts/build-functions.mjs [outdir]
//                               node scripts/build-functions.mjs --function <name> <dir>
import { build } from 'esbuild';
import { mkdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The functions and their entry files (repo-relative); `sandbox-javascript` runs inline JavaScript and imports nothing of the runtime. */
export const FUNCTION_ENTRIES = {
  run: 'functions/run.ts',
  stream: 'functions/stream.ts',
  deploy: 'functions/deploy.ts',
  'sandbox-javascript': 'functions/sandbox-javascript.ts',
};

/**
 * `@aws-sdk/*` is left to the Lambda Node 22 runtime, which ships SDK v3:
 * bundling the DynamoDB, S3, Lambda and Secrets Manager clients would add
 * several hundred KB to every function for no behavioural gain.
 */
export const EXTERNAL_MODULES = ['@aws-sdk/*'];

/** ESM output still meets CommonJS dependencies that call `require`; this gives them one. */
export const ESM_REQUIRE_BANNER =
  "import { createRequire as __agentspecCreateRequire } from 'node:module'; const require = __agentspecCreateRequire(import.meta.url);";

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

/**
 * The Anthropic SDK's Node agent toolset (bash/file tools for its beta
 * self-hosted environment worker) is imported lazily by that worker only; the
 * runtime never starts one. It is replaced by the SDK's own browser stub of
 * the same module (same exports, each throws), which keeps ~44 KB out of
 * every function.
 */
const SDK_TOOLSET_STUB = {
  name: 'agentspec-sdk-toolset-stub',
  setup(build) {
    build.onResolve({ filter: /[\\/]agent-toolset[\\/]node\.mjs$/ }, (args) =>
      /[\\/]@anthropic-ai[\\/]sdk[\\/]/.test(args.importer)
        ? { path: resolve(dirname(args.importer), args.path.replace(/node\.mjs$/, 'node.browser.mjs')) }
        : undefined,
    );
  },
};

/**
 * The esbuild options of a function's code: {@link esbuildOptions} with code
 * splitting. What a request may never need (the MCP SDK and the zod schemas
 * it builds, the OpenTelemetry SDK and exporter, the sandbox, the S3 client
 * glue) is imported with `import()` and lands in its own file under
 * `chunks/`, so a cold start compiles only what it runs: V8 compiling the one
 * 584 KB file was the largest item of a cold start.
 */
export const functionBuildOptions = {
  ...esbuildOptions,
  splitting: true,
  entryNames: 'index',
  chunkNames: 'chunks/[name]-[hash]',
  outExtension: { '.js': '.mjs' },
  plugins: [SDK_TOOLSET_STUB],
};

/** Builds one function into `dir`; see {@link buildEntry}. */
export function buildFunction(name, dir) {
  return buildEntry(FUNCTION_ENTRIES[name], dir);
}

/**
 * Builds a handler file (repo-relative) into `dir` as a function is built:
 * `index.mjs` (the handler) and `chunks/`. Returns the handler's path, the
 * bytes of all code files and the bytes a cold start loads (the handler and
 * the chunks it imports statically).
 */
export async function buildEntry(entry, dir) {
  rmSync(join(dir, 'chunks'), { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const result = await build({ ...functionBuildOptions, entryPoints: [join(projectRoot, entry)], outdir: dir, metafile: true, absWorkingDir: projectRoot });
  const outputs = Object.fromEntries(Object.entries(result.metafile.outputs).map(([file, output]) => [resolve(projectRoot, file), output]));
  const outfile = join(dir, 'index.mjs');
  let bytes = 0;
  for (const [file, output] of Object.entries(outputs)) if (file.endsWith('.mjs')) bytes += output.bytes;
  const loaded = new Set();
  const visit = (file) => {
    if (loaded.has(file) || !outputs[file]) return;
    loaded.add(file);
    for (const imported of outputs[file].imports) if (imported.kind === 'import-statement' && !imported.external) visit(resolve(projectRoot, imported.path));
  };
  visit(outfile);
  let startupBytes = 0;
  for (const file of loaded) startupBytes += outputs[file].bytes;
  return { outfile, bytes, startupBytes };
}

/** Builds each function to `<outdir>/<name>/`; returns the paths and byte sizes. */
export async function buildFunctions(outdir = join(projectRoot, 'dist', 'functions')) {
  const results = {};
  for (const name of Object.keys(FUNCTION_ENTRIES)) results[name] = await buildFunction(name, join(outdir, name));
  return results;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const report = (name, { outfile, bytes, startupBytes }) =>
    console.log(`${name.padEnd(18)} ${(bytes / 1024).toFixed(1).padStart(8)} KB (${(startupBytes / 1024).toFixed(1)} KB at start)  ${outfile}`);
  if (process.argv[2] === '--function') {
    // the CDK's afterBundling hook: one function into the asset folder it is building
    const [name, dir] = process.argv.slice(3);
    if (!(name in FUNCTION_ENTRIES) || !dir) throw new Error(`usage: build-functions.mjs --function <${Object.keys(FUNCTION_ENTRIES).join('|')}> <dir>`);
    report(name, await buildFunction(name, resolve(dir)));
  } else {
    const results = await buildFunctions(process.argv[2] ? resolve(process.argv[2]) : undefined);
    for (const [name, result] of Object.entries(results)) report(name, result);
  }
}
