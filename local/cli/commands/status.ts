/** `agentspec status [--target NAME] [--dir PATH] [--json]`: health, endpoint, version and resource use; without a state here, of every deployment below. */
import { relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { statusDeploy } from '../../deploy/operations.js';

export function register(program: Command): void {
  program
    .command('status')
    .description('health, endpoint, version (IR hash) and resource use of deployed targets')
    .option('--target <name>', 'only this target')
    .option('--dir <path>', 'directory holding .agentspec.state.json (default: here, or every deployment below)')
    .option('--json', 'machine-readable output')
    .action(async (options: { target?: string; dir?: string; json?: boolean }) => {
      const statuses = await statusDeploy({ ...(options.dir ? { dir: options.dir } : {}), ...(options.target ? { target: options.target } : {}) });
      const elsewhere = statuses.some((s) => s.dir !== resolve('.'));
      if (options.json) {
        process.stdout.write(`${JSON.stringify(statuses, null, 2)}\n`);
        return;
      }
      if (statuses.length === 0) process.stdout.write('Nothing is deployed from here.\n');
      for (const s of statuses) {
        const detail = Object.entries(s.detail)
          .filter(([, v]) => v !== undefined)
          .map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
          .join(' ');
        process.stdout.write(
          `${s.target}: ${s.healthy ? 'healthy' : 'UNHEALTHY'}  ${s.endpoint ?? ''}  version ${s.version?.slice(0, 12) ?? '?'}  ${detail}${elsewhere ? `  (in ${relative('.', s.dir) || '.'})` : ''}\n`,
        );
      }
    });
}
