// Types of build-functions.mjs for the TypeScript callers (infra, bench).
import type { BuildOptions } from 'esbuild';

export declare const projectRoot: string;
export type FunctionName = 'run' | 'stream' | 'deploy' | 'sandbox-javascript';
export declare const FUNCTION_ENTRIES: Record<FunctionName, string>;
export declare const EXTERNAL_MODULES: string[];
export declare const ESM_REQUIRE_BANNER: string;
export declare const NODE_TARGET: string;
export declare const BUNDLE_ALIASES: Record<string, string>;
export declare const esbuildOptions: BuildOptions & { mainFields: string[]; external: string[]; banner: { js: string } };
export declare function functionNodeOptions(options?: { sourceMaps?: boolean }): string | undefined;
export interface BuiltFunction {
  outfile: string;
  /** bytes of all code files (handler and chunks) */
  bytes: number;
  /** bytes a cold start loads: the handler and the chunks it imports statically */
  startupBytes: number;
}
export declare const functionBuildOptions: BuildOptions;
export declare function buildFunction(name: FunctionName, dir: string): Promise<BuiltFunction>;
export declare function buildEntry(entry: string, dir: string): Promise<BuiltFunction>;
export declare function buildFunctions(outdir?: string): Promise<Record<FunctionName, BuiltFunction>>;
