/**
 * Lambda bundles: minified size of each function (all its code, the handler
 * and its chunks, built with the CDK's esbuild settings, `@aws-sdk/*` left to
 * the Lambda Node 22 runtime) and the cost of a cold start — a fresh `node`
 * process importing the bundle and answering one request against the fake
 * model — over a bare `node` process, side by side with the reference
 * frameworks measured for a minimal agent.
 *
 * The cold start is measured to the moment the answer is complete, in the
 * child's own clock (milliseconds since its process started), so the figure
 * is what a Lambda client waits for; a Lambda environment does not exit after
 * the request, so node's exit is not counted. Bundle and bare processes
 * alternate, so both see the same machine load.
 */
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { buildFunctions, esbuildOptions, functionNodeOptions, projectRoot } from '../scripts/build-functions.mjs';
import { serializeIR } from '../shared/aws/ir-object.js';
import { compile } from '../shared/lang/index.js';
import { startFakeAnthropic } from '../test/helpers/fake-anthropic/index.js';
import { answerOnce, type BundleKind } from '../test/helpers/lambda-bundle/index.js';
import { ms, section, stats } from './harness.js';

const RUNS = 9;

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

export default async function bundleBench(): Promise<void> {
  // Built inside the project so the external @aws-sdk/* resolve from node_modules, as they do from the Lambda runtime.
  const outdir = join(projectRoot, 'dist', 'bench-functions');
  mkdirSync(outdir, { recursive: true });
  const built = await buildFunctions(outdir);
  const floorFile = join(outdir, 'sdk-floor', 'index.mjs');
  await build({ ...esbuildOptions, entryPoints: [join(projectRoot, 'bench', 'fixtures', 'sdk-floor-handler.ts')], outfile: floorFile });
  const { ir } = compile(MINIMAL, { file: 'bench.ias' });
  if (!ir) throw new Error('the bench package does not compile');
  const irFile = join(outdir, 'ir.json');
  // as the CDK stack does: the IR file and its digest, so the function can trust it without a schema compile
  const { body, digest } = serializeIR(ir);
  writeFileSync(irFile, body);

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
  };
  // the deploy function's request: a package that does not compile (a real swap needs AWS)
  const requestBody: Record<BundleKind, string | undefined> = { run: undefined, stream: undefined, deploy: 'agent "x" {' };
  const expected: Record<BundleKind, number> = { run: 200, stream: 200, deploy: 400 };
  try {
    const bare: number[] = [];
    const results: Record<string, { kb: number; startKb: number; added: number; load: number; first: number }> = {};
    for (const name of ['run', 'stream', 'deploy'] as const) {
      const answered: number[] = [];
      const load: number[] = [];
      const first: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        bare.push((await answerOnce('none', name, env)).answered);
        const answer = await answerOnce(built[name].outfile, name, env, requestBody[name], functionNodeOptions());
        if (answer.status !== expected[name]) throw new Error(`${name}: status ${answer.status}, expected ${expected[name]}: ${answer.body?.slice(0, 300) ?? ''}`);
        answered.push(answer.answered);
        load.push(answer.loaded! - answer.started);
        first.push(answer.answered - answer.loaded!);
      }
      results[name] = { kb: built[name].bytes / 1024, startKb: built[name].startupBytes / 1024, added: stats(answered).median - stats(bare).median, load: stats(load).median, first: stats(first).median };
    }
    // the opt-in source-mapped stack traces (`-c sourceMaps=true`), run beside the default
    const mapped: number[] = [];
    const unmapped: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      unmapped.push((await answerOnce(built.run.outfile, 'run', env, undefined, functionNodeOptions())).answered);
      mapped.push((await answerOnce(built.run.outfile, 'run', env, undefined, functionNodeOptions({ sourceMaps: true }))).answered);
    }
    const mapCost = stats(mapped).median - stats(unmapped).median;
    // the official SDK alone, answering the same way, measured in the same alternation
    const floor: number[] = [];
    const floorBare: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      floorBare.push((await answerOnce('none', 'run', env)).answered);
      const answer = await answerOnce(floorFile, 'run', env);
      if (answer.status !== 200) throw new Error(`sdk floor: status ${answer.status}`);
      floor.push(answer.answered);
    }
    const floorAdded = stats(floor).median - stats(floorBare).median;
    const bareMedian = stats(bare).median;
    const rows: [string, string][] = [];
    for (const [name, r] of Object.entries(results)) {
      rows.push([
        name,
        `${r.kb.toFixed(0)} KB, ${r.startKb.toFixed(0)} KB of it loaded at start (goal ≤ ${GOAL_KB} KB: ${r.kb <= GOAL_KB ? 'met' : 'not met'}), answered +${ms(r.added)} after a bare node start (import ${ms(r.load)}, first request ${ms(r.first)}; goal ≤ ${GOAL_MS} ms: ${r.added <= GOAL_MS ? 'met' : 'not met'})`,
      ]);
    }
    rows.push([
      'floor: the Anthropic SDK alone, one streaming call',
      `${(statSync(floorFile).size / 1024).toFixed(0)} KB, answered +${ms(floorAdded)} after a bare node start (×${(floorAdded / stats(floorBare).median).toFixed(2)}); run is ×${(results.run!.added / floorAdded).toFixed(2)} of it`,
    ]);
    rows.push(['run with -c sourceMaps=true (--enable-source-maps)', `${mapCost >= 0 ? '+' : '−'}${ms(Math.abs(mapCost))} to the first answer (off by default)`]);
    rows.push(['bare node process, start to first line', `${ms(bareMedian)} (median of ${bare.length}; ≈ 40 ms on an idle machine — scale the figures above by that ratio)`]);
    for (const [name, r] of Object.entries(results)) rows.push([`${name} added / bare node start`, `×${(r.added / bareMedian).toFixed(2)} (the references' +104…684 ms are ×2.6…×17 of a 40 ms start)`]);
    rows.push(['@aws-sdk/*', 'not bundled: provided by the Lambda Node.js 22 runtime (external in esbuild and the CDK), and imported only when used']);
    section(`Lambda bundles: size and cold start to the first answer (median of ${RUNS} fresh processes each)`, rows);
    const runResult = results.run!;
    section(
      'run bundle against the references (ratio < 1 means smaller / faster)',
      REFERENCES.map(([label, kb, addedMs]) => [label, `size ×${(runResult.kb / kb).toFixed(2)} (${kb} KB), cold start ×${(runResult.added / addedMs).toFixed(2)} (+${addedMs} ms)`]),
    );
  } finally {
    await fake.close();
  }
}
