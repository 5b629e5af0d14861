/**
 * CLI start-up: the wall time of a fresh `agentspec --version` and
 * `agentspec validate examples/support/agents.ias` through bin/agentspec.js
 * running the build (dist/esm, built first; `AGENTSPEC_CLI=built`), against a
 * bare `node -e 0`, and the same commands on the TypeScript sources through
 * tsx (what the bin runs in a checkout). Each round starts one process of
 * each kind in turn, so all see the same machine load; medians over the
 * rounds. The goal: the built CLI within 2× a bare node start. Timed on the
 * machine's node and, when it can be had, on node 22 (bench/lambda-node.ts).
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { buildPackage } from '../scripts/build.mjs';
import { projectRoot } from '../scripts/build-functions.mjs';
import { ms, section, stats } from './harness.js';
import { lambdaNode } from './lambda-node.js';

const RUNS = 15;
const GOAL_RATIO = 2;
const BIN = join(projectRoot, 'bin', 'agentspec.js');
const PACKAGE = 'examples/support/agents.ias';

interface Command {
  label: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
}

const BARE: Command = { label: 'node -e 0', args: ['-e', '0'] };
const built = (args: string[]): Command => ({ label: `agentspec ${args.join(' ')}`, args: [BIN, ...args], env: { AGENTSPEC_CLI: 'built' } });
const tsx = (args: string[]): Command => ({ label: `agentspec ${args.join(' ')} (tsx, sources)`, args: [BIN, ...args] });
const COMMANDS: Command[] = [BARE, built(['--version']), built(['validate', PACKAGE]), tsx(['--version']), tsx(['validate', PACKAGE])];

/** Milliseconds from spawning `node <args>` to its exit; throws when it fails. */
function timeProcess(node: string, command: Command): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    execFile(node, command.args, { cwd: projectRoot, env: { ...process.env, ...command.env } }, (error, _stdout, stderr) => {
      const elapsed = performance.now() - t0;
      if (error) reject(new Error(`${command.label} failed: ${stderr || error.message}`));
      else resolve(elapsed);
    });
  });
}

async function medians(node: string): Promise<number[]> {
  const samples: number[][] = COMMANDS.map(() => []);
  await Promise.all(COMMANDS.map((command) => timeProcess(node, command))); // warm the file cache
  for (let round = 0; round < RUNS; round++) {
    for (const [i, command] of COMMANDS.entries()) samples[i]!.push(await timeProcess(node, command));
  }
  return samples.map((s) => stats(s).median);
}

function report(title: string, figures: number[]): void {
  const bare = figures[0]!;
  section(
    title,
    COMMANDS.map((command, i) => {
      const ratio = figures[i]! / bare;
      const goal = i > 0 && command.env ? (ratio <= GOAL_RATIO ? ` (goal ≤ ${GOAL_RATIO}×: met)` : ` (goal ≤ ${GOAL_RATIO}×: NOT met)`) : '';
      return [command.label, i === 0 ? ms(bare) : `${ms(figures[i]!)}  ${ratio.toFixed(2)}× bare node${goal}`];
    }),
  );
}

export default async function cliBench(): Promise<void> {
  const outputs = await buildPackage({ types: false });
  console.log(`\n(built dist/esm: cli.mjs ${(outputs['cli.mjs']! / 1024).toFixed(1)} KB; median wall time of ${RUNS} fresh processes each)`);
  report(`CLI start-up — node ${process.version}`, await medians(process.execPath));
  const node22 = await lambdaNode();
  if ('path' in node22) report(`CLI start-up — node ${node22.version}`, await medians(node22.path));
  else console.log(`\n(node 22 not timed: ${node22.reason})`);
}
