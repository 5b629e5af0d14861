/** `agentspec diff [--target NAME] [--dir PATH] [--json]`: what differs between the state and what really runs. Exit 0: none, 2: drift, 1: error. */
import { relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { diffDeploy } from '../../deploy/operations.js';

/** The exit status when drift was found (errors exit 1). */
export const DRIFT_EXIT_CODE = 2;

export function register(program: Command): void {
  program
    .command('diff')
    .description('compare the recorded state with what really runs; exit status 0: no drift, 2: drift found, 1: error')
    .option('--target <name>', 'only this target')
    .option('--dir <path>', 'directory holding .agentspec.state.json (default: here, or the only deployment below)')
    .option('--json', 'machine-readable output')
    .action(async (options: { target?: string; dir?: string; json?: boolean }) => {
      const results = await diffDeploy({ ...(options.dir ? { dir: options.dir } : {}), ...(options.target ? { target: options.target } : {}) });
      const drifted = results.some((r) => r.drift.length > 0);
      if (options.json) process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
      else if (results.length === 0) process.stdout.write('Nothing is deployed from here.\n');
      else
        for (const result of results) {
          const name = options.dir !== undefined || result.dir === resolve('.') ? result.target : `${result.target} (in ${relative('.', result.dir)})`;
          if (result.drift.length === 0) {
            process.stdout.write(`${name}: no drift\n`);
            continue;
          }
          process.stdout.write(`${name}: ${result.drift.length} difference(s); \`agentspec apply\` puts the recorded version back\n`);
          for (const d of result.drift) process.stdout.write(`  ${d.resource}: expected ${d.expected}, found ${d.actual}\n`);
        }
      if (drifted) process.exitCode = DRIFT_EXIT_CODE;
    });
}
