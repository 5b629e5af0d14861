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
 * the request, so node's exit is not counted. Each round starts a bare
 * process and then each bundle, so all see the same machine load. Timed on
 * the machine's node and, when it can be had, on node 22, the Lambda
 * runtime's major (bench/lambda-node.ts).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildEntry, buildFunctions, functionNodeOptions, projectRoot, type BuiltFunction } from '../scripts/build-functions.mjs';
import { serializeIR } from '../functions/lib/aws/ir-object.js';
import { compile } from '../shared/lang/index.js';
import { startFakeAnthropic } from '../test/helpers/fake-anthropic/index.js';
import { startFakeSecretsExtension, startFakeSecretsManager } from '../test/helpers/fake-secrets.js';
import { answerOnce, type BundleKind } from '../test/helpers/lambda-bundle/index.js';
import { ms, section, signedMs, stats } from './harness.js';
import { lambdaNode } from './lambda-node.js';

const RUNS = 11;

/** Reference frameworks: bundle KB and added load ms for a minimal agent. */
const REFERENCES: [string, number, number][] = [
  ['Vercel AI SDK', 940, 104],
  ['LangGraph', 1600, 173],
  ['OpenAI Agents', 2200, 311],
  ['Mastra', 5400, 684],
];
const GOAL_KB = 600;
/** how long the slow secrets extension stand-in takes to answer */
const SECRET_READ_MS = 40;

const MINIMAL = `package "bench" version "1.0.0" lang "2.0"
prompt "system" { content "You are terse." }
agent "assistant" {
  uses prompt "system"
  model "claude-sonnet-4-20250514"
}
`;

interface Entry {
  file: string;
  kind: BundleKind;
  body?: string | undefined;
  status: number;
  nodeOptions?: string | undefined;
  /** added to the common environment */
  env?: NodeJS.ProcessEnv;
}

interface ColdStarts {
  bare: number;
  /** per entry: median answered (ms since process start), import and first request */
  entries: Record<string, { answered: number; load: number; first: number }>;
}

/** RUNS rounds of a bare process then each entry, on one node binary; medians. */
async function coldStarts(node: string, env: NodeJS.ProcessEnv, entries: Record<string, Entry>): Promise<ColdStarts> {
  const bare: number[] = [];
  const samples: Record<string, { answered: number[]; load: number[]; first: number[] }> = {};
  for (let i = 0; i < RUNS; i++) {
    bare.push((await answerOnce('none', 'run', env, { node })).answered);
    for (const [name, entry] of Object.entries(entries)) {
      const answer = await answerOnce(entry.file, entry.kind, { ...env, ...entry.env }, { node, body: entry.body, nodeOptions: entry.nodeOptions });
      if (answer.status !== entry.status) throw new Error(`${name}: status ${answer.status}, expected ${entry.status}: ${answer.body?.slice(0, 300) ?? ''}`);
      const s = (samples[name] ??= { answered: [], load: [], first: [] });
      s.answered.push(answer.answered);
      s.load.push(answer.loaded! - answer.started);
      s.first.push(answer.answered - answer.loaded!);
    }
  }
  const result: ColdStarts = { bare: stats(bare).median, entries: {} };
  for (const [name, s] of Object.entries(samples))
    result.entries[name] = { answered: stats(s.answered).median, load: stats(s.load).median, first: stats(s.first).median };
  return result;
}

export default async function bundleBench(): Promise<void> {
  // Built inside the project so the external @aws-sdk/* resolve from node_modules, as they do from the Lambda runtime.
  const outdir = join(projectRoot, 'dist', 'bench-functions');
  mkdirSync(outdir, { recursive: true });
  const built = await buildFunctions(outdir);
  // the floors, built exactly as the functions are (same splitting and stubs)
  const floors = {
    sdk: await buildEntry('bench/fixtures/sdk-floor-handler.ts', join(outdir, 'sdk-floor')),
    sdkNodeFetch: await buildEntry('bench/fixtures/sdk-floor-node-fetch-handler.ts', join(outdir, 'sdk-floor-node-fetch')),
    mandated: await buildEntry('bench/fixtures/mandated-floor-handler.ts', join(outdir, 'mandated-floor')),
  };
  const startKb = (built: BuiltFunction) => `${(built.startupBytes / 1024).toFixed(0)} KB at start`;
  const { ir } = compile(MINIMAL, { file: 'bench.ias' });
  if (!ir) throw new Error('the bench package does not compile');
  const irFile = join(outdir, 'ir.json');
  // as the CDK stack does: the IR file and its digest, so the function can trust it without a schema compile
  const { body, digest } = serializeIR(ir);
  writeFileSync(irFile, body);
  const lambda = await lambdaNode();

  const fake = await startFakeAnthropic();
  fake.respond(() => ({ text: 'ok' }));
  // the key in Secrets Manager, as the stack keeps it: read with the SDK client, or through the extension
  const secretsApi = await startFakeSecretsManager('bench-key');
  const secretsExtension = await startFakeSecretsExtension('bench-key');
  // the extension's first answer on Lambda includes its own Secrets Manager call; INIT builds the runtime meanwhile
  const slowExtension = await startFakeSecretsExtension('bench-key', { latencyMs: SECRET_READ_MS });
  const fromSecret = { AGENTSPEC_ANTHROPIC_SECRET: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:bench-AbCdEf', ANTHROPIC_API_KEY: '' };
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    ANTHROPIC_BASE_URL: fake.url,
    ANTHROPIC_API_KEY: 'bench-key',
    AGENTSPEC_IR_FILE: irFile,
    AGENTSPEC_BUNDLED_IR_DIGEST: digest,
    AGENTSPEC_IR_BUCKET: 'bench-irs',
    AGENTSPEC_RUN_FUNCTION: 'run',
    AGENTSPEC_STREAM_FUNCTION: 'stream',
    AGENTSPEC_AUTH: 'iam',
    AWS_REGION: 'us-east-1',
  };
  const nodeOptions = functionNodeOptions();
  const entries: Record<string, Entry> = {
    run: { file: built.run.outfile, kind: 'run', status: 200, nodeOptions },
    stream: { file: built.stream.outfile, kind: 'stream', status: 200, nodeOptions },
    // a package that does not compile (a real swap needs AWS)
    deploy: { file: built.deploy.outfile, kind: 'deploy', body: 'agent "x" {', status: 400, nodeOptions },
    runSecretSdk: { file: built.run.outfile, kind: 'run', status: 200, nodeOptions, env: { ...fromSecret, ...secretsApi.env } },
    runSecretExtension: { file: built.run.outfile, kind: 'run', status: 200, nodeOptions, env: { ...fromSecret, ...secretsExtension.env } },
    runSecretExtensionSlow: { file: built.run.outfile, kind: 'run', status: 200, nodeOptions, env: { ...fromSecret, ...slowExtension.env } },
    floor: { file: floors.sdk.outfile, kind: 'run', status: 200 },
    floorNodeFetch: { file: floors.sdkNodeFetch.outfile, kind: 'run', status: 200 },
    floorMandated: { file: floors.mandated.outfile, kind: 'run', status: 200 },
  };
  try {
    const here = await coldStarts(process.execPath, env, entries);
    // the opt-in source-mapped stack traces (`-c sourceMaps=true`), run beside the default
    const maps = await coldStarts(process.execPath, env, {
      unmapped: entries.run!,
      mapped: { ...entries.run!, nodeOptions: functionNodeOptions({ sourceMaps: true }) },
    });
    if (secretsExtension.requests.length === 0 || slowExtension.requests.length === 0 || secretsApi.requests.length === 0)
      throw new Error('a Secrets Manager run did not read its key where it should');
    const mapCost = maps.entries.mapped!.answered - maps.entries.unmapped!.answered;
    const onLambdaNode = 'path' in lambda ? await coldStarts(lambda.path, env, entries) : undefined;

    const rowsFor = (runs: ColdStarts): [string, string][] => {
      const added = (name: string) => runs.entries[name]!.answered - runs.bare;
      const rows: [string, string][] = [];
      for (const name of ['run', 'stream', 'deploy'] as const) {
        const r = runs.entries[name]!;
        const kb = built[name].bytes / 1024;
        rows.push([
          name,
          `${kb.toFixed(0)} KB, ${(built[name].startupBytes / 1024).toFixed(0)} KB of it loaded at start (goal ≤ ${GOAL_KB} KB: ${kb <= GOAL_KB ? 'met' : 'not met'}), answered +${ms(added(name))} after a bare node start (import ${ms(r.load)}, first request ${ms(r.first)}; the cold-start goal is lambda-ric's, measured under the runtime client)`,
        ]);
      }
      rows.push([
        'run, key in Secrets Manager, read at INIT with the SDK client',
        `answered +${ms(added('runSecretSdk'))} (import ${ms(runs.entries.runSecretSdk!.load)}, first request ${ms(runs.entries.runSecretSdk!.first)})`,
      ]);
      rows.push([
        'run, key in Secrets Manager, read through the Parameters and Secrets extension (the stack default)',
        `answered +${ms(added('runSecretExtension'))}, ${ms(added('runSecretSdk') - added('runSecretExtension'))} less than with the SDK client (both against local stand-ins: no network time)`,
      ]);
      rows.push([
        `the same with the extension answering after ${SECRET_READ_MS} ms (its own Secrets Manager call on Lambda)`,
        `answered +${ms(added('runSecretExtensionSlow'))}: the ${SECRET_READ_MS} ms read adds ${signedMs(added('runSecretExtensionSlow') - added('runSecretExtension'))}, the rest overlaps INIT's own work (the IR, the runtime, loading undici)`,
      ]);
      rows.push([
        'floor: the Anthropic SDK alone, one streaming call over the global fetch',
        `${startKb(floors.sdk)}, answered +${ms(added('floor'))} (import ${ms(runs.entries.floor!.load)}); run is ×${(added('run') / added('floor')).toFixed(2)} of it`,
      ]);
      rows.push([
        "floor over the runtime's transport (nodeFetch, node:http)",
        `answered +${ms(added('floorNodeFetch'))} (import ${ms(runs.entries.floorNodeFetch!.load)}); run is ×${(added('run') / added('floorNodeFetch')).toFixed(2)} of it, ${signedMs(added('run') - added('floorNodeFetch'))}`,
      ]);
      rows.push([
        "floor: the run function's mandated parts alone (Hono's Lambda adapter, the SDK over nodeFetch), none of our runtime",
        `${startKb(floors.mandated)}, answered +${ms(added('floorMandated'))} (import ${ms(runs.entries.floorMandated!.load)}), ×${(added('floorMandated') / runs.bare).toFixed(2)} of a bare node start; run adds ${signedMs(added('run') - added('floorMandated'))} to it`,
      ]);
      rows.push([
        'bare node process, start to first line',
        `${ms(runs.bare)} (median of ${RUNS}; ≈ 40 ms on an idle machine — scale the figures above by that ratio)`,
      ]);
      for (const name of ['run', 'stream', 'deploy'])
        rows.push([`${name} added / bare node start`, `×${(added(name) / runs.bare).toFixed(2)} (the references' +104…684 ms are ×2.6…×17 of a 40 ms start)`]);
      return rows;
    };
    section(`Lambda bundles on node ${process.version} (this machine): size and cold start to the first answer (median of ${RUNS} fresh processes each)`, [
      ...rowsFor(here),
      ['run with -c sourceMaps=true (--enable-source-maps)', `${signedMs(mapCost)} to the first answer (off by default)`],
      ['@aws-sdk/*', 'not bundled: provided by the Lambda Node.js 22 runtime (external in esbuild and the CDK), and imported only when used'],
    ]);
    if (onLambdaNode && 'path' in lambda) section(`The same on node ${lambda.version}, the Lambda runtime's major`, rowsFor(onLambdaNode));
    else section("The same on node 22, the Lambda runtime's major", [['not measured', 'reason' in lambda ? lambda.reason : 'unknown']]);
    const runAdded = here.entries.run!.answered - here.bare;
    section(
      'run bundle against the references (ratio < 1 means smaller / faster)',
      REFERENCES.map(([label, kb, addedMs]) => [
        label,
        `size ×${(built.run.bytes / 1024 / kb).toFixed(2)} (${kb} KB), cold start ×${(runAdded / addedMs).toFixed(2)} (+${addedMs} ms)`,
      ]),
    );
  } finally {
    await fake.close();
    await secretsApi.close();
    await secretsExtension.close();
    await slowExtension.close();
  }
}
