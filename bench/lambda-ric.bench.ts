/**
 * Lambda under AWS's own runtime interface client (issue 17): the time from
 * spawning the runtime (the official node 22 running `aws-lambda-ric`, as the
 * managed nodejs22.x runtime does) to the first byte of the answer reaching
 * the Runtime API stand-in, for the run and stream functions, as a ratio to a
 * floor function built the same way from only the mandated parts
 * (bench/fixtures/floor-function.ts: Hono's Lambda adapter and the official
 * SDK making one call, its key read through the secrets extension stand-in
 * as ours is). The event is queued before the process starts, so INIT and
 * the first request are both counted, as a cold Function URL request waits
 * for both. A second request in the same environment gives the warm figure.
 * Each round starts the floor and ours one after the other (the order
 * alternates between rounds), so both see the same load; a ratio is the
 * median of the rounds' ratios. The CPU time the runtime process used is
 * printed beside the wall time: on a loaded machine it is the steadier one.
 */
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { buildEntry, buildFunction, projectRoot, type BuiltFunction } from '../scripts/build-functions.mjs';
import { functionUrlEvent } from '../test/aws/helpers/lambda-events.js';
import { startFakeAnthropic } from '../test/helpers/fake-anthropic/index.js';
import { functionEnvironment } from '../test/helpers/lambda-bundle/index.js';
import { startLambdaFunction } from '../test/helpers/lambda-runtime/lambda-function.js';
import type { InvocationResult } from '../test/helpers/lambda-runtime/runtime-api.js';
import { ms, section, signedMs, stats } from './harness.js';

const ROUNDS = 11;
const GOAL_RATIO = 1.25;
const GOAL_KB = 600;
const KEY_SECRET = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:anthropic-key-AbCdEf';

const MINIMAL = `package "bench" version "1.0.0" lang "2.0"
prompt "system" { content "You are terse." }
agent "assistant" {
  uses prompt "system"
  model "claude-sonnet-4-20250514"
}
`;

type Kind = 'run' | 'stream';

interface Subject {
  label: string;
  kind: Kind;
  built: BuiltFunction;
  agent: string;
  environment: Record<string, string>;
  /** the subject reads no key (the bare runtime client) */
  keyless?: true;
}

/**
 * ms from spawn to the first byte of the answer and to the end of INIT, the
 * CPU time the runtime process had used by then, and the second request's
 * time to its first byte
 */
interface Sample {
  cold: number;
  init: number;
  coldCpu: number;
  initCpu: number;
  warm: number;
}

/** CPU ms a process has used so far, all its threads (Linux `schedstat`, nanoseconds) */
function cpuMs(pid: number): number {
  let ns = 0;
  for (const task of readdirSync(`/proc/${pid}/task`)) ns += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'utf8').split(' ')[0]);
  return ns / 1e6;
}

function event(kind: Kind, agent: string) {
  return functionUrlEvent({ method: 'POST', path: `/v1/agents/${agent}/${kind === 'run' ? 'invoke' : 'stream'}`, body: { message: 'hi' } });
}

/** Throws unless `result` is a successful answer of its kind, with the model's text in it. */
function check(label: string, kind: Kind, result: InvocationResult): void {
  const text =
    kind === 'run' && result.kind === 'buffered'
      ? String((result.payload as { body?: unknown }).body)
      : kind === 'stream' && result.kind === 'streamed' && result.prelude?.statusCode === 200 && !result.error
        ? result.body.toString('utf8')
        : undefined;
  if (!text?.includes('Hel')) throw new Error(`${label}: unexpected answer ${JSON.stringify(result).slice(0, 400)}`);
}

/** Starts `subject` with its event queued, times the cold and the warm answer, and stops it. */
async function sample(subject: Subject): Promise<Sample> {
  const fn = await startLambdaFunction({
    taskRoot: join(subject.built.outfile, '..'),
    environment: subject.environment,
    secrets: { [KEY_SECRET]: 'bench-key' },
  });
  try {
    let firstByte = 0;
    let coldCpu = 0;
    const initDone = fn.api.initDone().then(() => ({ at: performance.now(), cpu: cpuMs(fn.pid) }));
    const cold = await fn.api.invoke(event(subject.kind, subject.agent), {
      onResponseStart: () => {
        firstByte = performance.now();
        coldCpu = cpuMs(fn.pid);
      },
    });
    check(subject.label, subject.kind, cold);
    if (!subject.keyless && !fn.api.log.includes(`secret ${KEY_SECRET}`)) throw new Error(`${subject.label}: the key was not read through the extension`);
    const asked = performance.now();
    let warmByte = 0;
    check(subject.label, subject.kind, await fn.api.invoke(event(subject.kind, subject.agent), { onResponseStart: () => (warmByte = performance.now()) }));
    const init = await initDone;
    return { cold: firstByte - fn.spawnedAt, init: init.at - fn.spawnedAt, coldCpu, initCpu: init.cpu, warm: warmByte - asked };
  } catch (error) {
    throw new Error(`${subject.label} failed; it printed:\n${fn.output().slice(-3000)}`, { cause: error });
  } finally {
    await fn.stop();
  }
}

export default async function lambdaRicBench(): Promise<void> {
  // inside the project, so the external @aws-sdk/* resolve as they do from the managed runtime
  const outdir = join(projectRoot, 'dist', 'bench-lambda-ric');
  mkdirSync(outdir, { recursive: true });
  const built = {
    run: await buildFunction('run', join(outdir, 'run')),
    stream: await buildFunction('stream', join(outdir, 'stream')),
    floorRun: await buildEntry('bench/fixtures/floor-function-run.ts', join(outdir, 'floor-run')),
    floorStream: await buildEntry('bench/fixtures/floor-function-stream.ts', join(outdir, 'floor-stream')),
    none: await buildEntry('bench/fixtures/floor-function-none.ts', join(outdir, 'none')),
  };
  const fake = await startFakeAnthropic();
  fake.respond(() => ({ text: ['Hel', 'lo.'] }));
  try {
    const keyFrom = { AGENTSPEC_ANTHROPIC_SECRET: KEY_SECRET };
    const minimal = { ...functionEnvironment(MINIMAL, 'bench', outdir, fake.url), ...keyFrom };
    const supportSource = readFileSync(join(projectRoot, 'examples', 'support', 'agents.ias'), 'utf8');
    const support = { ...functionEnvironment(supportSource, 'support', outdir, fake.url), ...keyFrom };
    const floorEnv = { ANTHROPIC_BASE_URL: fake.url, ...keyFrom };
    const subjects: Record<string, Subject> = {
      none: {
        label: 'no function: node and the runtime client alone',
        kind: 'run',
        built: built.none,
        agent: 'assistant',
        environment: floorEnv,
        keyless: true,
      },
      floorRun: { label: 'floor, run (buffered)', kind: 'run', built: built.floorRun, agent: 'assistant', environment: floorEnv },
      run: { label: 'run, one-agent package', kind: 'run', built: built.run, agent: 'assistant', environment: minimal },
      floorStream: { label: 'floor, stream (streamHandle)', kind: 'stream', built: built.floorStream, agent: 'assistant', environment: floorEnv },
      stream: { label: 'stream, one-agent package', kind: 'stream', built: built.stream, agent: 'assistant', environment: minimal },
      supportRun: { label: 'run, examples/support', kind: 'run', built: built.run, agent: 'support-bot', environment: support },
      supportStream: { label: 'stream, examples/support', kind: 'stream', built: built.stream, agent: 'support-bot', environment: support },
    };
    const samples: Record<string, Sample[]> = {};
    const names = Object.keys(subjects);
    for (let round = 0; round < ROUNDS; round++)
      for (const name of round % 2 ? [...names].reverse() : names) (samples[name] ??= []).push(await sample(subjects[name]!));
    const median = (name: string, key: keyof Sample) => stats(samples[name]!.map((s) => s[key])).median;

    const rows: [string, string][] = [];
    for (const [name, subject] of Object.entries(subjects)) {
      const m = (key: keyof Sample) => median(name, key);
      rows.push([
        subject.label,
        `first byte ${ms(m('cold'))} after spawn (INIT ${ms(m('init'))}); CPU ${ms(m('coldCpu'))} (INIT ${ms(m('initCpu'))}); warm ${ms(m('warm'))}`,
      ]);
    }
    for (const [ours, floor] of [
      ['run', 'floorRun'],
      ['stream', 'floorStream'],
      ['supportRun', 'floorRun'],
      ['supportStream', 'floorStream'],
    ] as const) {
      // the median of each round's ratio: a round's two starts are close in time, so they share the machine's load
      const ratio = (key: keyof Sample) => stats(samples[ours]!.map((s, i) => s[key] / samples[floor]![i]![key])).median;
      const verdict = (x: number) => (ours.startsWith('support') ? '' : x <= GOAL_RATIO ? ' (met)' : ' (not met)');
      rows.push([
        `${subjects[ours]!.label} / floor`,
        `first byte ×${ratio('cold').toFixed(2)}${verdict(ratio('cold'))} ${signedMs(median(ours, 'cold') - median(floor, 'cold'))}; CPU ×${ratio('coldCpu').toFixed(2)}${verdict(ratio('coldCpu'))} ${signedMs(median(ours, 'coldCpu') - median(floor, 'coldCpu'))}; warm ×${ratio('warm').toFixed(2)}`,
      ]);
    }
    rows.push(['goal', `first byte ≤ ${GOAL_RATIO}× the floor for a package without inline tools (examples/support has one: printed, no goal)`]);
    const size = (b: BuiltFunction) => `${(b.bytes / 1024).toFixed(0)} KB, ${(b.startupBytes / 1024).toFixed(0)} KB loaded at start`;
    for (const name of ['run', 'stream'] as const)
      rows.push([`${name} bundle`, `${size(built[name])} (goal ≤ ${GOAL_KB} KB: ${built[name].bytes / 1024 <= GOAL_KB ? 'met' : 'not met'})`]);
    rows.push(['floor bundles (run, stream)', `${size(built.floorRun)}; ${size(built.floorStream)}`]);
    section(`Lambda under aws-lambda-ric on node 22: runtime spawn to the first response byte (median of ${ROUNDS} fresh environments each)`, rows);
  } finally {
    await fake.close();
  }
}
