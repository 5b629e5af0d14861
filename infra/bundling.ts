/**
 * NodejsFunction bundling for the three functions: the esbuild settings of
 * scripts/build-functions.mjs (so the bench measures what ships), plus the
 * package IR and the package's own files copied beside the bundle.
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
import { join } from 'node:path';
import {
  BUNDLE_ALIASES,
  ESM_REQUIRE_BANNER,
  EXTERNAL_MODULES,
  NODE_TARGET,
  esbuildOptions,
  projectRoot,
  type FUNCTION_ENTRIES,
} from '../scripts/build-functions.mjs';

/** File name of the bundled IR inside each function's code asset. */
export const BUNDLED_IR_FILE = 'ir.json';
/** Folder of the package's files (MCP server scripts …) inside each function's code asset. */
export const BUNDLED_PACKAGE_DIR = 'package';

export interface FunctionBundlingInput {
  /** which function (its entry in scripts/build-functions.mjs) */
  name: keyof typeof FUNCTION_ENTRIES;
  /** absolute path of the IR JSON written at synth time */
  irFile: string;
  /** absolute path of the package folder, copied so that stdio servers' relative paths resolve */
  packageDir?: string | undefined;
}

/** The functions that serve the package, and so carry its IR and files; the others (deploy …) need neither. */
const SERVES_PACKAGE: ReadonlySet<string> = new Set(['run', 'stream']);

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
        ...(SERVES_PACKAGE.has(input.name) ? [`cp ${quote(input.irFile)} ${quote(`${outputDir}/${BUNDLED_IR_FILE}`)}`] : []),
        ...(SERVES_PACKAGE.has(input.name) && input.packageDir
          ? [
              `mkdir -p ${quote(`${outputDir}/${BUNDLED_PACKAGE_DIR}`)}`,
              `cd ${quote(input.packageDir)} && find . -maxdepth 2 -type f ! -path './node_modules/*' ! -name '*.ias' -exec cp --parents {} ${quote(`${outputDir}/${BUNDLED_PACKAGE_DIR}`)} \\;`,
            ]
          : []),
      ],
    },
  };
}
