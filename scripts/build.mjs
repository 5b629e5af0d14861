// `npm run build` (and `prepare`): builds the package that `npm pack` ships.
//   dist/esm/    the CLI (cli.mjs), the library (index.mjs), the runtime server
//                (serve.mjs) and their shared chunks, all in this one folder,
//                plus the files the code reads beside itself (templates, the
//                playground's page and script)
//   dist/types/  the library's declarations (tsc, emitDeclarationOnly)
// Every npm package stays external: the bundles hold only this repository's
// code, and `dependencies` are installed beside it. Other things under dist/
// (the Lambda bundles of build-functions.mjs, the bench's node) are left alone.
// Usage: node scripts/build.mjs [--no-types]
import { build, transform } from 'esbuild';
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, extname, join, relative, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { esbuildOptions, projectRoot } from './build-functions.mjs';

/** Node 20 is the oldest the package supports (`engines`). */
const NODE_TARGET = 'node20';

export const OUT_DIR = join(projectRoot, 'dist', 'esm');
export const TYPES_DIR = join(projectRoot, 'dist', 'types');

/** Entry points (repo-relative) → output names in {@link OUT_DIR}. */
export const ENTRIES = { cli: 'local/cli/main.ts', index: 'index.ts', client: 'shared/client/index.ts', serve: 'local/serve-entry.ts' };

/** The built CLI, which bin/agentspec.js runs in an installed package. */
export const BUILT_CLI = join(OUT_DIR, 'cli.mjs');

/**
 * Files the code finds through its own `import.meta.url` (see
 * {@link moduleUrlPlugin}), copied to the same repo-relative place under
 * {@link OUT_DIR}: the `init` templates, and the playground page with the
 * script `dev` bundles into it at start.
 */
const ASSETS = [
  // each template is a folder; the files directly in local/templates are code
  { from: 'local/templates', filter: (path, root) => path === root || statSync(path).isDirectory() || relative(root, path).includes(sep) },
  { from: 'local/playground/index.html' },
  { from: 'local/playground/app.ts' },
  { from: 'local/playground/eval-tab.ts' },
];

/**
 * The process and Docker deployers start `local/serve-entry.ts` beside their
 * own module (through tsx, or bundled again by esbuild). In the build that
 * path holds this one-line module, valid TypeScript and JavaScript alike,
 * that runs the built server.
 */
const SERVE_ENTRY_STUB = { path: 'local/serve-entry.ts', text: "// The runtime server, built: see scripts/build.mjs.\nimport '../serve.mjs';\n" };

/**
 * Bundling moves every module into `dist/esm/`, so `import.meta.url` would
 * name the chunk rather than the source file, and a module that reads files
 * beside itself (the templates, the playground) would look in the wrong
 * folder. In this repository's modules that use it, `import.meta.url`
 * (`dirname`, `filename`) is replaced — in the code, not in strings — by
 * the URL the source file would have under `dist/esm/`, where
 * {@link ASSETS} puts what it reads. All outputs sit in one folder, so that
 * URL is the same from whichever chunk the code lands in.
 */
const moduleUrlPlugin = {
  name: 'agentspec-module-url',
  setup(build) {
    build.onLoad({ filter: /\.[cm]?[jt]s$/ }, async (args) => {
      if (args.path.includes(`${sep}node_modules${sep}`) || !args.path.startsWith(projectRoot + sep)) return undefined;
      const source = readFileSync(args.path, 'utf8');
      if (!source.includes('import.meta')) return undefined;
      const path = relative(projectRoot, args.path)
        .split(sep)
        .join('/')
        .replace(/\.[cm]?ts$/, '.js');
      const { code } = await transform(source, {
        loader: /\.[cm]?ts$/.test(args.path) ? 'ts' : 'js',
        format: 'esm',
        target: NODE_TARGET,
        sourcefile: args.path,
        define: { 'import.meta.url': '__agentspecUrl', 'import.meta.filename': '__agentspecFilename', 'import.meta.dirname': '__agentspecDirname' },
      });
      const prelude = [`const __agentspecUrl = new URL(${JSON.stringify(`./${path}`)}, import.meta.url).href;`];
      if (/__agentspec(File|Dir)name/.test(code)) {
        prelude.push(
          "import { fileURLToPath as __agentspecFileURLToPath } from 'node:url';",
          'const __agentspecFilename = __agentspecFileURLToPath(__agentspecUrl);',
          "const __agentspecDirname = __agentspecFileURLToPath(new URL('.', __agentspecUrl)).replace(/[\\\\/]$/, '');",
        );
      }
      return { contents: `${prelude.join('\n')}\n${code}`, loader: 'js', resolveDir: dirname(args.path) };
    });
  },
};

const packageJson = JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8'));

const { bundle, platform, format, minify, sourcemap, sourcesContent, logLevel } = esbuildOptions;

/**
 * esbuild options of the package build: the Lambda bundles' (ESM for node,
 * minified, maps without sources), with code splitting, for Node 20, and
 * every npm package external (no aliases or stubs: nothing is bundled).
 */
export const packageBuildOptions = {
  bundle,
  platform,
  format,
  minify,
  sourcemap,
  sourcesContent,
  logLevel,
  target: NODE_TARGET,
  splitting: true,
  packages: 'external',
  entryNames: '[name]',
  chunkNames: 'chunk-[hash]',
  outExtension: { '.js': '.mjs' },
  // `agentspec --version` reads it; under npx it would be the calling project's
  define: { 'process.env.npm_package_version': JSON.stringify(packageJson.version) },
  plugins: [moduleUrlPlugin],
};

/** The package of a bare import (`@scope/name/sub` → `@scope/name`), or undefined for a Node built-in. */
function packageOf(specifier) {
  if (specifier.startsWith('node:') || builtinModules.includes(specifier.split('/')[0])) return undefined;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/**
 * Builds the bundles into `outDir` (a fresh folder) and copies the assets;
 * throws when the code imports a package that is not in `dependencies` (it
 * would be missing where the package is installed).
 */
export async function buildBundles(outDir) {
  const result = await build({
    ...packageBuildOptions,
    entryPoints: Object.fromEntries(Object.entries(ENTRIES).map(([name, entry]) => [name, join(projectRoot, entry)])),
    outdir: outDir,
    metafile: true,
    absWorkingDir: projectRoot,
  });
  const missing = new Set();
  for (const output of Object.values(result.metafile.outputs)) {
    for (const imported of output.imports) {
      const name = imported.external ? packageOf(imported.path) : undefined;
      if (name && !packageJson.dependencies?.[name]) missing.add(name);
    }
  }
  if (missing.size) throw new Error(`the build imports packages that are not in "dependencies": ${[...missing].join(', ')}`);
  for (const { from, filter } of ASSETS)
    cpSync(join(projectRoot, from), join(outDir, from), { recursive: true, filter: (path) => !filter || filter(path, join(projectRoot, from)) });
  mkdirSync(join(outDir, dirname(SERVE_ENTRY_STUB.path)), { recursive: true });
  writeFileSync(join(outDir, SERVE_ENTRY_STUB.path), SERVE_ENTRY_STUB.text);
  return result.metafile;
}

/** Emits the library's declarations into `outDir` with tsc (tsconfig.build.json). */
export async function buildTypes(outDir) {
  const tsc = join(projectRoot, 'node_modules', 'typescript', 'bin', 'tsc');
  await promisify(execFile)(process.execPath, [tsc, '-p', join(projectRoot, 'tsconfig.build.json'), '--outDir', outDir], { cwd: projectRoot }).catch(
    (error) => {
      throw new Error(`tsc failed:\n${error.stdout || error.message}`);
    },
  );
}

/**
 * Builds `target` in a scratch folder beside it and swaps it in, so a CLI
 * started meanwhile never runs half a build.
 */
async function replaceWithBuilt(target, builder) {
  const scratch = `${target}.building-${process.pid}`;
  rmSync(scratch, { recursive: true, force: true });
  try {
    const value = await builder(scratch);
    const old = `${target}.old-${process.pid}`;
    try {
      renameSync(target, old);
    } catch (error) {
      if (error.code !== 'ENOENT') throw error;
    }
    renameSync(scratch, target);
    rmSync(old, { recursive: true, force: true });
    return value;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** The whole build; returns the bytes of each output file of dist/esm. */
export async function buildPackage({ types = true } = {}) {
  mkdirSync(dirname(OUT_DIR), { recursive: true });
  const [metafile] = await Promise.all([replaceWithBuilt(OUT_DIR, buildBundles), types ? replaceWithBuilt(TYPES_DIR, buildTypes) : undefined]);
  return Object.fromEntries(Object.entries(metafile.outputs).map(([file, output]) => [file.split(/[\\/]/).pop(), output.bytes]));
}

/** Bytes of the .mjs files under `dir`, for the report. */
function codeBytes(dir) {
  return readdirSync(dir, { recursive: true })
    .filter((file) => extname(String(file)) === '.mjs')
    .reduce((sum, file) => sum + readFileSync(join(dir, String(file))).length, 0);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const started = Date.now();
  const outputs = await buildPackage({ types: !process.argv.includes('--no-types') });
  const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
  for (const name of Object.keys(ENTRIES)) console.log(`${`${name}.mjs`.padEnd(10)} ${kb(outputs[`${name}.mjs`]).padStart(9)}`);
  console.log(
    `dist/esm: ${kb(codeBytes(OUT_DIR))} of code in ${Object.keys(outputs).filter((f) => f.endsWith('.mjs')).length} files; built in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
}
