/** `agentspec rollback [--target NAME] [--to N] [--dir PATH]`: serve a kept version again, from its recorded artifacts. */
import type { Command } from 'commander';
import { AgentSpecError, ErrorCode } from '../../../shared/errors.js';
import { rollbackDeploy } from '../../deploy/operations.js';

export function register(program: Command): void {
  program
    .command('rollback')
    .description('serve a kept version again (the one before the current by default), reusing its image; builds nothing')
    .option('--target <name>', 'the target (needed when several are deployed)')
    .option('--to <version>', 'the version to go back to, as `agentspec history` numbers it')
    .option('--dir <path>', 'directory holding .agentspec.state.json (default: here)')
    .action(async (options: { target?: string; to?: string; dir?: string }) => {
      const to = options.to === undefined ? undefined : Number(options.to.replace(/^v/, ''));
      if (to !== undefined && (!Number.isInteger(to) || to < 1))
        throw new AgentSpecError(ErrorCode.InvalidRequest, `--to expects a version number like 2 (see agentspec history), not "${options.to}".`);
      const started = Date.now();
      const result = await rollbackDeploy({
        ...(options.dir ? { dir: options.dir } : {}),
        ...(options.target ? { target: options.target } : {}),
        ...(to !== undefined ? { to } : {}),
        progress: (message) => process.stderr.write(`… ${message}\n`),
      });
      const took = ((Date.now() - started) / 1000).toFixed(1);
      if (!result.changed) process.stdout.write(`"${result.target}" already serves version ${result.version}; nothing changed.\n`);
      else
        process.stdout.write(
          `Rolled "${result.target}" (${result.kind}) back to version ${result.rollback_of} (${result.state.ir_hash.slice(0, 12)}) in ${took} s; recorded as version ${result.version}.\n`,
        );
      if (result.state.endpoint) process.stdout.write(`Endpoint: ${result.state.endpoint}\n`);
    });
}
