/**
 * Runs a bundled Lambda function the way the Lambda runtime does: a fresh
 * `node` process imports the bundle and answers one Function URL event
 * (driver.mjs). Used by the bundle tests and the bundle benchmark.
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { serializeIR } from '../../../functions/lib/aws/ir-object.js';
import { compile } from '../../../shared/lang/index.js';

const exec = promisify(execFile);
export const BUNDLE_DRIVER = fileURLToPath(new URL('./driver.mjs', import.meta.url));

export type BundleKind = 'run' | 'stream' | 'deploy';

export interface BundleAnswer {
  /** milliseconds since process start when the driver began (node's own start-up) */
  started: number;
  /** … when the bundle was imported (absent for the bare baseline) */
  loaded?: number;
  /** … when the answer was complete */
  answered: number;
  status: number;
  body?: string;
}

export interface AnswerOptions {
  /** the request body (default: a JSON message) */
  body?: string | undefined;
  /** the function's NODE_OPTIONS, given the way Lambda gives it */
  nodeOptions?: string | undefined;
  /** the node binary (default: the one running this process) */
  node?: string | undefined;
}

/** Imports `bundle` (or nothing, for `'none'`) in a fresh node process and sends one request. */
export async function answerOnce(bundle: string, kind: BundleKind, env: NodeJS.ProcessEnv, options: AnswerOptions = {}): Promise<BundleAnswer> {
  const args = [BUNDLE_DRIVER, bundle, kind, ...(options.body === undefined ? [] : [options.body])];
  const withOptions = options.nodeOptions === undefined ? env : { ...env, NODE_OPTIONS: options.nodeOptions };
  const { stdout } = await exec(options.node ?? process.execPath, args, { env: withOptions, maxBuffer: 16 * 1024 * 1024 });
  const line = stdout.trim().split('\n').at(-1) ?? '';
  return JSON.parse(line) as BundleAnswer;
}

/**
 * Compiles `source`, writes its IR into `dir` as the CDK stack bundles it,
 * and returns the environment the stack gives the functions (the model at
 * `modelUrl`; no key: the caller adds one, or a secret).
 */
export function functionEnvironment(source: string, name: string, dir: string, modelUrl: string): Record<string, string> {
  const { ir, diagnostics } = compile(source, { file: `${name}.ias` });
  if (!ir) throw new Error(`test package does not compile: ${diagnostics[0]?.message ?? ''}`);
  const { body, digest } = serializeIR(ir);
  const irFile = join(dir, `${name}.ir.json`);
  writeFileSync(irFile, body);
  return {
    ANTHROPIC_BASE_URL: modelUrl,
    AGENTSPEC_IR_FILE: irFile,
    AGENTSPEC_BUNDLED_IR_DIGEST: digest,
    AGENTSPEC_IR_BUCKET: 'bundle-test-irs',
    AGENTSPEC_RUN_FUNCTION: 'run',
    AGENTSPEC_STREAM_FUNCTION: 'stream',
    // the Function URL authenticates (auth "iam"): the app checks no API key
    AGENTSPEC_AUTH: 'iam',
    AWS_REGION: 'us-east-1',
  };
}
