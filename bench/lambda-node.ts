/**
 * The Node.js major the Lambda functions run on (the `nodejs22.x` runtime),
 * so the benchmarks can time cold starts on it as well as on the machine's
 * own node: `LAMBDA_NODE` when set, else the official linux-x64 build from
 * the npm registry, cached once per machine (scripts/lambda-runtime.mjs).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { LAMBDA_NODE_MAJOR, lambdaNodePath } from '../scripts/lambda-runtime.mjs';

const exec = promisify(execFile);
export { LAMBDA_NODE_MAJOR };

export type LambdaNode = { path: string; version: string } | { reason: string };

export async function lambdaNode(): Promise<LambdaNode> {
  try {
    const path = await lambdaNodePath();
    const { stdout } = await exec(path, ['--version']);
    const version = stdout.trim();
    if (!version.startsWith(`v${LAMBDA_NODE_MAJOR}.`)) return { reason: `${path} is node ${version}, not ${LAMBDA_NODE_MAJOR}.x` };
    return { path, version };
  } catch (error) {
    return { reason: error instanceof Error ? error.message.split('\n')[0]! : String(error) };
  }
}
