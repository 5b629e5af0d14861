/** `agentspec apply <file> [--target NAME] [--env NAME]`: deploy; a no-op when nothing changed. */
import type { Command } from 'commander';
import { applyDeploy, dryRunDeploy } from '../../deploy/operations.js';

export function register(program: Command): void {
  program
    .command('apply')
    .description('deploy the package to a target (idempotent)')
    .argument('<file>', 'the .ias package or exported IR')
    .option('--target <name>', 'deploy block (default: the one marked default true)')
    .option('--env <name>', 'environment overlay')
    .option('--dry-run', 'kubernetes: print the manifests as YAML instead of applying')
    .action(async (file: string, options: { target?: string; env?: string; dryRun?: boolean }) => {
      if (options.dryRun) {
        process.stdout.write(await dryRunDeploy({ file, ...(options.target ? { target: options.target } : {}), ...(options.env ? { env: options.env } : {}) }));
        return;
      }
      const started = Date.now();
      const result = await applyDeploy({
        file,
        ...(options.target ? { target: options.target } : {}),
        ...(options.env ? { env: options.env } : {}),
        progress: (message) => process.stderr.write(`… ${message}\n`),
      });
      const took = ((Date.now() - started) / 1000).toFixed(1);
      if (!result.changed) process.stdout.write(`"${result.target}" is up to date (${result.state.ir_hash.slice(0, 12)}); nothing changed.\n`);
      else
        process.stdout.write(
          `Deployed "${result.target}" (${result.kind}, ${result.state.ir_hash.slice(0, 12)}) in ${took} s${result.version !== undefined ? `; version ${result.version}` : ''}.\n`,
        );
      if (result.state.endpoint) process.stdout.write(`Endpoint: ${result.state.endpoint}\n`);
    });
}
