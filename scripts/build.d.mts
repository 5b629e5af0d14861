// Types of build.mjs for the TypeScript callers (bench, test/package).
import type { BuildOptions, Metafile } from 'esbuild';

export declare const OUT_DIR: string;
export declare const TYPES_DIR: string;
export declare const ENTRIES: { cli: string; index: string; serve: string };
export declare const BUILT_CLI: string;
export declare const packageBuildOptions: BuildOptions;
export declare function buildBundles(outDir: string): Promise<Metafile>;
export declare function buildTypes(outDir: string): Promise<void>;
/** Builds dist/esm (and dist/types unless `types: false`); returns the bytes of each output file of dist/esm by name. */
export declare function buildPackage(options?: { types?: boolean }): Promise<Record<string, number>>;
