/** `agentspec plan <file> [--target NAME] [--env NAME] [--json]`: what apply would do, per resource, and what it found that apply would refuse. */
import type { Command } from 'commander';
import { planDeploy } from '../../deploy/operations.js';

export function register(program: Command): void {
  program
    .command('plan')
    .description('show what apply would create, update, leave unchanged or delete')
    .argument('<file>', 'the .ias package or exported IR')
    .option('--target <name>', 'deploy block (default: the one marked default true)')
    .option('--env <name>', 'environment overlay')
    .option('--json', 'machine-readable output (stable order)')
    .action(async (file: string, options: { target?: string; env?: string; json?: boolean }) => {
      const plan = await planDeploy({ file, ...(options.target ? { target: options.target } : {}), ...(options.env ? { env: options.env } : {}) });
      const items = [...plan.items].sort((a, b) => a.resource.localeCompare(b.resource));
      if (options.json) {
        process.stdout.write(`${JSON.stringify({ target: plan.target, kind: plan.kind, items, checks: plan.checks }, null, 2)}\n`);
        return;
      }
      process.stdout.write(`Plan for "${plan.target}" (${plan.kind}):\n`);
      for (const item of items) process.stdout.write(`  ${item.action.padEnd(9)} ${item.resource}${item.reason ? `  (${item.reason})` : ''}\n`);
      if (plan.checks.length > 0) process.stdout.write('Apply would refuse:\n');
      for (const check of plan.checks) process.stdout.write(`  ${check.level}: ${check.message}\n`);
    });
}
