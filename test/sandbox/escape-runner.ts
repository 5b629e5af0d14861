/**
 * Runs the escape probes in a sandbox of its own and prints the raw results
 * as JSON: the escape suite bundles this file and starts it as another user
 * (an unprivileged one) or with another PATH (one without bubblewrap).
 * Input: one JSON argument `{ctx, python, path, workRoot, unsafe}`.
 */
import { createSandbox } from '../../shared/sandbox/index.js';
import { DOUBLE_FORK, escapeProbes, type Language, type ProbeContext } from './escape-probes.js';

interface Job {
  ctx: ProbeContext;
  python: string;
  path: string;
  workRoot: string;
  /** the explicit unsafe opt-out: to show the probes find a way out where there is one */
  unsafe: boolean;
}

export interface RunnerOutcome {
  probe: string;
  language: Language;
  stdout?: string;
  refused?: string;
}

const job = JSON.parse(process.argv[2] ?? '{}') as Job;
const sandbox = createSandbox({
  poolSize: 0,
  python: job.python,
  workRoot: job.workRoot,
  env: { PATH: job.path },
  unsafeWithoutIsolation: job.unsafe,
  logger: () => undefined,
});
const outcomes: RunnerOutcome[] = [];
const probes = escapeProbes({ ...job.ctx, hostPid: process.pid });

async function attempt(probe: string, language: Language, code: string, env: Record<string, string> = {}): Promise<RunnerOutcome> {
  try {
    const result = await sandbox.run({ language, code, stdin: '', env, timeoutMs: 10_000, memoryBytes: 256 * 1024 * 1024 });
    return { probe, language, stdout: result.stdout };
  } catch (error) {
    return { probe, language, refused: error instanceof Error ? error.message : String(error) };
  }
}

// Destructive probes run only once every language's proof has shown the sandbox in force.
let proven = true;
for (const probe of probes.filter((p) => !p.destructive)) {
  for (const [language, code] of Object.entries(probe.code) as [Language, string][]) {
    const outcome = await attempt(probe.name, language, code);
    if (probe === probes[0] && (outcome.stdout === undefined || probe.verdict(outcome.stdout) !== null)) proven = false;
    outcomes.push(outcome);
  }
}
if (proven) {
  for (const probe of probes.filter((p) => p.destructive)) {
    for (const [language, code] of Object.entries(probe.code) as [Language, string][]) outcomes.push(await attempt(probe.name, language, code));
  }
}
for (const language of ['python', 'javascript'] as const)
  outcomes.push(await attempt('double fork', language, DOUBLE_FORK[language], { RUN_MARKER: job.ctx.marker }));
await sandbox.close();
process.stdout.write(JSON.stringify({ isolation: sandbox.isolation, outcomes }));
