/**
 * `agentspec init --template <name> [dir]`: copies a starter package into a
 * new directory. Existing files are never overwritten unless `--force`.
 */
import type { Command } from 'commander';
import { cp, readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { AgentSpecError, ErrorCode } from '../../../shared/errors.js';
import { templatesDir, listTemplates } from '../../templates/list-templates.js';

export function register(program: Command): void {
  program
    .command('init')
    .description('create a new agent package from a template')
    .option('-t, --template <name>', 'template to start from', 'customer-support')
    .option('--list', 'list the templates and exit')
    .option('--force', 'write into a directory that already has files')
    .argument('[dir]', 'directory to create (default: the template name)')
    .action(async (dir: string | undefined, options: { template: string; list?: boolean; force?: boolean }) => {
      const templates = await listTemplates();
      if (options.list) {
        for (const t of templates) process.stdout.write(`${t.name.padEnd(22)} ${t.summary}\n`);
        return;
      }
      const template = templates.find((t) => t.name === options.template);
      if (!template) {
        throw new AgentSpecError(ErrorCode.InvalidRequest, `Unknown template "${options.template}". Available: ${templates.map((t) => t.name).join(', ')}.`);
      }
      const target = resolve(dir ?? template.name);
      if (!options.force && (await hasFiles(target))) {
        throw new AgentSpecError(ErrorCode.InvalidRequest, `${target} already exists and is not empty; choose another directory or pass --force.`);
      }
      await cp(join(templatesDir(), template.name), target, { recursive: true, force: Boolean(options.force), errorOnExist: false });
      const file = join(dir ?? template.name, 'agents.ias');
      process.stdout.write(`Created ${file} from the ${template.name} template.\n\nNext:\n  export ANTHROPIC_API_KEY=...\n  npx agentspec dev ${file}\n`);
    });
}

async function hasFiles(dir: string): Promise<boolean> {
  try {
    if (!(await stat(dir)).isDirectory()) return true;
    return (await readdir(dir)).length > 0;
  } catch {
    return false;
  }
}
