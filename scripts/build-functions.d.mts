// Types of build-functions.mjs for the TypeScript callers (infra, bench).
import type { BuildOptions } from 'esbuild';

export declare const projectRoot: string;
export declare const FUNCTION_ENTRIES: { run: string; stream: string; deploy: string };
export declare const EXTERNAL_MODULES: string[];
export declare const ESM_REQUIRE_BANNER: string;
export declare const NODE_TARGET: string;
export declare const BUNDLE_ALIASES: Record<string, string>;
export declare const esbuildOptions: BuildOptions & { mainFields: string[]; external: string[]; banner: { js: string } };
export declare function functionNodeOptions(options?: { sourceMaps?: boolean }): string | undefined;
export declare function buildFunctions(outdir?: string): Promise<Record<'run' | 'stream' | 'deploy', { outfile: string; bytes: number }>>;
