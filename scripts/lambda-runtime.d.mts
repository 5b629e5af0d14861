// Types of lambda-runtime.mjs for the TypeScript callers (tests, bench).
export declare const LAMBDA_NODE_MAJOR: number;
export declare const RIC_VERSION: string;
export declare const CACHE_DIR: string;
export declare function lambdaNodePath(): Promise<string>;
export declare function ricPath(): Promise<string>;
