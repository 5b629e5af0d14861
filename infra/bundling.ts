/**
 * NodejsFunction bundling for the functions: the esbuild settings of
 * scripts/build-functions.mjs (so the bench measures what ships), plus, for
 * run and stream only, the package IR and the package asset (the files the
 * IR references, servers bundled with their dependencies:
 * local/package/package-assets.ts) beside the bundle. The deploy function's
 * asset carries only its code.
 *
 * NodejsFunction runs esbuild with a single `--outfile`, which cannot split
 * code. Its `afterBundling` hook therefore rebuilds the function into the
 * same asset folder with scripts/build-functions.mjs, which splits what a
 * request may never need into `chunks/` (the handler file name stays
 * `index.mjs`): a cold start then compiles only the handler and the chunks
 * it imports statically (`npm run bench -- bundle` prints both sizes); the
 * split measured 18–35 ms less to the first answer. The first pass costs a
 * second of synth time.
 */
import { OutputFormat, type BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import { cpSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  BUNDLE_ALIASES,
  ESM_REQUIRE_BANNER,
  EXTERNAL_MODULES,
  NODE_TARGET,
  esbuildOptions,
  projectRoot,
  type FUNCTION_ENTRIES,
} from '../scripts/build-functions.mjs';
import type { IRDocument } from '../shared/ir/types.js';
import { packageAsset, writePackageAsset } from '../local/package/package-assets.js';

/** File name of the bundled IR inside each function's code asset. */
export const BUNDLED_IR_FILE = 'ir.json';
/** Folder of the package asset (MCP server scripts …) inside the run and stream code assets. */
export const BUNDLED_PACKAGE_DIR = 'package';

export interface FunctionBundlingInput {
  /** which function (its entry in scripts/build-functions.mjs) */
  name: keyof typeof FUNCTION_ENTRIES;
  /** absolute path of the IR JSON written at synth time */
  irFile: string;
  /** absolute path of the package folder: the files the IR references are shipped, so that stdio servers' relative paths resolve */
  packageDir?: string | undefined;
}

/** The functions that serve the package, and so carry its IR and files; the others (deploy …) need neither. */
const SERVES_PACKAGE: ReadonlySet<string> = new Set(['run', 'stream']);

/** A copy into a function's asset: `from` (a file or a folder) to `to`, relative to the asset root. */
export interface AssetCopy {
  from: string;
  to: string;
}

/** The copies of one synth, by IR file and package folder, and the asset's file paths: run and stream share the package asset, built once. */
const prepared = new Map<string, { copies: AssetCopy[]; files: string[] }>();

/**
 * What a function's asset carries beside its code: for run and stream, the
 * IR as {@link BUNDLED_IR_FILE} and the package asset as
 * {@link BUNDLED_PACKAGE_DIR} (written next to the IR file; left out when the
 * IR references no file); for the other functions nothing. Throws
 * `config_error` when the IR references a file outside the package folder
 * or a script that does not exist.
 */
export function packageFilesOf(input: FunctionBundlingInput): AssetCopy[] {
  return SERVES_PACKAGE.has(input.name) ? preparedAsset(input).copies : [];
}

/** The paths (relative to the package folder) of the files the run and stream assets ship. */
export function shippedPackageFiles(input: Omit<FunctionBundlingInput, 'name'>): string[] {
  return preparedAsset(input).files;
}

function preparedAsset(input: Omit<FunctionBundlingInput, 'name'>): { copies: AssetCopy[]; files: string[] } {
  const key = `${input.irFile}\0${input.packageDir ?? ''}`;
  let found = prepared.get(key);
  if (!found) {
    found = { copies: [{ from: input.irFile, to: BUNDLED_IR_FILE }], files: [] };
    if (input.packageDir) {
      const asset = packageAsset(JSON.parse(readFileSync(input.irFile, 'utf8')) as IRDocument, input.packageDir);
      if (asset.files.length) {
        const dir = join(dirname(input.irFile), `package-${asset.digest.slice(0, 16)}`);
        writePackageAsset(asset, dir);
        found.copies.push({ from: dir, to: BUNDLED_PACKAGE_DIR });
        found.files = asset.files.map((file) => file.path);
      }
    }
    prepared.set(key, found);
  }
  return found;
}

/** Lays the same files into a function built outside the CDK (`buildFunction` of scripts/build-functions.mjs) at `dir`. */
export function addPackageFiles(input: FunctionBundlingInput, dir: string): void {
  for (const { from, to } of packageFilesOf(input)) cpSync(from, join(dir, to), { recursive: true });
}

/** Bundling options for one function. Runs local esbuild: no Docker. */
export function functionBundling(input: FunctionBundlingInput): BundlingOptions {
  const quote = (p: string) => `'${p.replace(/'/g, `'\\''`)}'`;
  return {
    format: OutputFormat.ESM,
    target: NODE_TARGET,
    minify: esbuildOptions.minify === true,
    sourceMap: esbuildOptions.sourcemap === true,
    sourcesContent: false,
    mainFields: esbuildOptions.mainFields,
    externalModules: EXTERNAL_MODULES,
    banner: ESM_REQUIRE_BANNER,
    // esbuild's --alias:<package>=<path>, as scripts/build-functions.mjs passes it
    esbuildArgs: Object.fromEntries(Object.entries(BUNDLE_ALIASES).map(([name, path]) => [`--alias:${name}`, path])),
    forceDockerBundling: false,
    commandHooks: {
      beforeBundling: () => [],
      beforeInstall: () => [],
      afterBundling: (_inputDir: string, outputDir: string) => [
        `${quote(process.execPath)} ${quote(join(projectRoot, 'scripts', 'build-functions.mjs'))} --function ${input.name} ${quote(outputDir)}`,
        ...packageFilesOf(input).map(({ from, to }) => `cp -R ${quote(from)} ${quote(`${outputDir}/${to}`)}`),
      ],
    },
  };
}
