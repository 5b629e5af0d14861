/**
 * Inline code on AWS (issue 17): the latency of one inline JavaScript call
 * from the run function's sandbox through Lambda's Invoke API (the stand-in
 * over HTTP, the SDK as the run function uses it) to the built sandbox
 * function under aws-lambda-ric, which starts a fresh node for it — side by
 * side with the same call in the local bubblewrap sandbox (warm pool), and
 * the difference: what running the code in a function of its own adds.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { buildFunction, projectRoot } from '../scripts/build-functions.mjs';
import { createLambdaSandbox } from '../functions/lib/sandbox/lambda-sandbox.js';
import { createSandbox } from '../shared/sandbox/index.js';
import type { SandboxRunRequest } from '../shared/sandbox/types.js';
import { startLambdaInvokeApi } from '../test/aws/helpers/lambda-invoke-api.js';
import { startLambdaFunction } from '../test/helpers/lambda-runtime/lambda-function.js';
import { measure, ms, section, signedMs } from './harness.js';

const CALL: SandboxRunRequest = {
  language: 'javascript',
  code: `let s = ''; process.stdin.on('data', (d) => (s += d)).on('end', () => console.log(JSON.stringify({ twice: JSON.parse(s).n * 2 })));`,
  stdin: '{"n":21}',
  env: {},
  timeoutMs: 10_000,
  memoryBytes: 128 * 2 ** 20,
};
const ROUNDS = { iterations: 15, warmup: 3 };

export default async function bench(): Promise<void> {
  const outdir = join(projectRoot, 'dist', `bench-sandbox-${process.pid}`);
  mkdirSync(join(outdir, 'tmp'), { recursive: true });
  const built = await buildFunction('sandbox-javascript', join(outdir, 'fn'));
  const fn = await startLambdaFunction({ taskRoot: dirname(built.outfile), environment: { TMPDIR: join(outdir, 'tmp') } });
  const invokeApi = await startLambdaInvokeApi({ bench: { api: fn.api } });
  // the run function's SDK client, reaching the stand-in the way the tests point it there
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_LAMBDA: invokeApi.url,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIABENCH',
    AWS_SECRET_ACCESS_KEY: 'bench',
  });
  const local = createSandbox({ logger: () => {}, warmPython: false, warmJavascriptMemory: [CALL.memoryBytes] });
  try {
    const lambda = createLambdaSandbox({ javascript: 'bench' });
    const check = await lambda.run(CALL);
    if (check.stdout.trim() !== '{"twice":42}') throw new Error(`the sandbox function answered ${JSON.stringify(check)}`);
    const viaLambda = await measure(() => lambda.run(CALL), ROUNDS);
    const rows: [string, string][] = [
      [`through the Invoke API to the sandbox function (median of ${viaLambda.samples})`, `${ms(viaLambda.median)} (p99 ${ms(viaLambda.p99)})`],
    ];
    if (local.isolation.mode === 'bubblewrap') {
      await local.warm();
      const inBwrap = await measure(() => local.run(CALL), ROUNDS);
      rows.push([`local bubblewrap sandbox, warm pool (median of ${inBwrap.samples})`, ms(inBwrap.median)]);
      rows.push(['added by the sandbox function', signedMs(viaLambda.median - inBwrap.median)]);
    } else {
      rows.push(['local bubblewrap sandbox', `not measured: ${local.isolation.mode} here`]);
    }
    section('inline javascript on AWS: one call through a sandbox function (emulated: Invoke API stand-in, aws-lambda-ric)', rows);
  } finally {
    await local.close();
    await invokeApi.close();
    await fn.stop();
    rmSync(outdir, { recursive: true, force: true });
  }
}
