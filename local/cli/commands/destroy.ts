/** `agentspec destroy [--target NAME] [--dir PATH] [--yes] [--remove-images]`: tear down after a confirmation. */
import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import { AgentSpecError, ErrorCode } from '../../../shared/errors.js';
import { destroyDeploy } from '../../deploy/operations.js';
import { deploymentDir } from '../../deploy/discover.js';
import { readState } from '../../deploy/state-file.js';

export function register(program: Command): void {
  program
    .command('destroy')
    .description('tear down deployed targets and update the state')
    .option('--target <name>', 'only this target')
    .option('--dir <path>', 'directory holding .agentspec.state.json (default: here)')
    .option('-y, --yes', 'do not ask for confirmation')
    .option('--remove-images', 'docker: remove the images of every kept version too')
    .action(async (options: { target?: string; dir?: string; yes?: boolean; removeImages?: boolean }) => {
      const dir = await deploymentDir(options.dir, 'destroy', true);
      const names = options.target ? [options.target] : Object.keys((await readState(dir)).targets);
      if (names.length === 0) {
        process.stdout.write('Nothing is deployed from here.\n');
        return;
      }
      if (!options.yes) {
        if (!process.stdin.isTTY) throw new AgentSpecError(ErrorCode.InvalidRequest, 'Refusing to destroy without confirmation; pass --yes.');
        const rl = createInterface({ input: process.stdin, output: process.stderr });
        const answer = await rl.question(`Destroy ${names.join(', ')}? Type "yes" to confirm: `);
        rl.close();
        if (answer.trim() !== 'yes') {
          process.stdout.write('Cancelled.\n');
          return;
        }
      }
      const done = await destroyDeploy({
        dir,
        ...(options.target ? { target: options.target } : {}),
        ...(options.removeImages ? { deployer: { removeImages: true } } : {}),
        progress: (message) => process.stderr.write(`… ${message}\n`),
      });
      process.stdout.write(`Destroyed ${done.join(', ')}.\n`);
    });
}
