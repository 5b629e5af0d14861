/**
 * Lambda bundles: minified size of each function (esbuild with the CDK's
 * settings, `@aws-sdk/*` left to the Lambda Node 22 runtime) and the cost of
 * a cold start — a fresh `node` process importing the bundle and answering
 * one request against the fake model — over a bare `node` process, side by
 * side with the reference frameworks measured for a minimal agent.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { buildFunctions, projectRoot } from '../scripts/build-functions.mjs';
import { serializeIR } from '../shared/aws/ir-object.js';
import { compile } from '../shared/lang/index.js';
import { startFakeAnthropic } from '../test/helpers/fake-anthropic/index.js';
import { ms, section, stats } from './harness.js';

const run = promisify(execFile);
const RUNS = 7;

/** Reference frameworks: bundle KB and added load ms for a minimal agent. */
const REFERENCES: [string, number, number][] = [
  ['Vercel AI SDK', 940, 104],
  ['LangGraph', 1600, 173],
  ['OpenAI Agents', 2200, 311],
  ['Mastra', 5400, 684],
];
const GOAL_KB = 600;
const GOAL_MS = 60;

const MINIMAL = `package "bench" version "1.0.0" lang "2.0"
prompt "system" { content "You are terse." }
agent "assistant" {
  uses prompt "system"
  model "claude-sonnet-4-20250514"
}
`;

// The child: imports the bundle, answers one request, prints timings. Kept as plain JS so it runs under bare node.
const DRIVER = `
import { performance } from 'node:perf_hooks';
import { Writable } from 'node:stream';
const [bundle, kind] = process.argv.slice(2);
const t0 = performance.now();
if (bundle === 'none') { console.log(JSON.stringify({ load: 0, first: 0, status: 0 })); process.exit(0); }
const lambda = (globalThis.awslambda ??= {});
lambda.streamifyResponse ??= (h) => h;
lambda.HttpResponseStream ??= { from(s, m) { s.write(JSON.stringify(m) + '\\0'.repeat(8)); return s; } };
const { handler } = await import(bundle);
const t1 = performance.now();
const path = kind === 'deploy' ? '/v1/deploy' : kind === 'stream' ? '/v1/agents/assistant/stream' : '/v1/agents/assistant/invoke';
const body = kind === 'deploy' ? 'not a package' : JSON.stringify({ message: 'hi' });
const event = { version: '2.0', rawPath: path, rawQueryString: '', headers: { host: 'bench.lambda-url.us-east-1.on.aws', 'content-type': kind === 'deploy' ? 'text/plain' : 'application/json' },
  requestContext: { domainName: 'bench.lambda-url.us-east-1.on.aws', http: { method: 'POST', path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1' }, requestId: 'r', stage: '$default', routeKey: '$default', timeEpoch: Date.now() },
  body, isBase64Encoded: false };
const ctx = { awsRequestId: 'r', functionName: 'bench', getRemainingTimeInMillis: () => 60000 };
let status;
if (kind === 'stream') {
  let raw = '';
  const out = new Writable({ write(c, _e, cb) { raw += c; cb(); } });
  await handler(event, out, ctx);
  status = JSON.parse(raw.slice(0, raw.indexOf('\\0'))).statusCode;
} else {
  status = (await handler(event, ctx)).statusCode;
}
console.log(JSON.stringify({ load: t1 - t0, first: performance.now() - t1, status }));
process.exit(0);
`;

async function timeProcess(driver: string, bundle: string, kind: string, env: NodeJS.ProcessEnv): Promise<{ wall: number; load: number; first: number; status: number }> {
  const t0 = performance.now();
  const { stdout } = await run(process.execPath, [driver, bundle, kind], { env, cwd: projectRoot });
  const wall = performance.now() - t0;
  const line = stdout.trim().split('\n').at(-1)!;
  return { wall, ...(JSON.parse(line) as { load: number; first: number; status: number }) };
}

export default async function bundleBench(): Promise<void> {
  // Built inside the project so the external @aws-sdk/* resolve from node_modules, as they do from the Lambda runtime.
  const outdir = join(projectRoot, 'dist', 'bench-functions');
  const built = await buildFunctions(outdir);
  const { ir } = compile(MINIMAL, { file: 'bench.ias' });
  if (!ir) throw new Error('the bench package does not compile');
  const irFile = join(outdir, 'ir.json');
  // as the CDK stack does: the IR file and its digest, so the function can trust it without a schema compile
  const { body, digest } = serializeIR(ir);
  writeFileSync(irFile, body);
  mkdirSync(outdir, { recursive: true });
  const driver = join(outdir, 'driver.mjs');
  writeFileSync(driver, DRIVER);

  const fake = await startFakeAnthropic();
  fake.respond(() => ({ text: 'ok' }));
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    ANTHROPIC_BASE_URL: fake.url,
    ANTHROPIC_API_KEY: 'bench-key',
    AGENTSPEC_IR_FILE: irFile,
    AGENTSPEC_BUNDLED_IR_DIGEST: digest,
    AGENTSPEC_IR_BUCKET: 'bench-irs',
    AGENTSPEC_RUN_FUNCTION: 'run',
    AGENTSPEC_STREAM_FUNCTION: 'stream',
    AWS_REGION: 'us-east-1',
    AGENTSPEC_LOG_LEVEL: 'error',
  };
  try {
    const baseline: number[] = [];
    const rows: [string, string][] = [];
    const results: Record<string, { kb: number; added: number; load: number; first: number }> = {};
    for (const name of ['run', 'stream', 'deploy'] as const) {
      const samples: { wall: number; load: number; first: number; status: number }[] = [];
      for (let i = 0; i < RUNS; i++) {
        baseline.push((await timeProcess(driver, 'none', name, env)).wall);
        samples.push(await timeProcess(driver, built[name].outfile, name, env));
      }
      const expected = name === 'deploy' ? 400 : 200;
      if (samples.some((s) => s.status !== expected)) throw new Error(`${name}: unexpected status ${samples.map((s) => s.status).join(',')}`);
      const kb = built[name].bytes / 1024;
      const wall = stats(samples.map((s) => s.wall)).median;
      results[name] = { kb, added: wall - stats(baseline).median, load: stats(samples.map((s) => s.load)).median, first: stats(samples.map((s) => s.first)).median };
    }
    for (const [name, r] of Object.entries(results)) {
      rows.push([
        `${name}`,
        `${r.kb.toFixed(0)} KB (goal ≤ ${GOAL_KB} KB: ${r.kb <= GOAL_KB ? 'met' : 'not met'}), +${ms(r.added)} over bare node (import ${ms(r.load)}, first request ${ms(r.first)}; goal ≤ ${GOAL_MS} ms: ${r.added <= GOAL_MS ? 'met' : 'not met'})`,
      ]);
    }
    const bare = stats(baseline).median;
    rows.push(['bare node process', `${ms(bare)} (median of ${baseline.length}; on an idle machine ≈ 40 ms — scale the figures above by that ratio)`]);
    for (const [name, r] of Object.entries(results)) rows.push([`${name} added / bare node`, `×${(r.added / bare).toFixed(2)} (load-independent: the references' +104…684 ms are ×2.6…×17 of a 40 ms node start)`]);
    rows.push(['@aws-sdk/*', 'not bundled: provided by the Lambda Node.js 22 runtime (external in esbuild and the CDK)']);
    section(`Lambda bundles: size and cold load + one request (median of ${RUNS} fresh processes)`, rows);
    const runResult = results.run!;
    section(
      'run bundle against the references (ratio < 1 means smaller / faster)',
      REFERENCES.map(([label, kb, addedMs]) => [label, `size ×${(runResult.kb / kb).toFixed(2)} (${kb} KB), load ×${(runResult.added / addedMs).toFixed(2)} (+${addedMs} ms)`]),
    );
  } finally {
    await fake.close();
  }
}
