/** `agentspec fmt <file> [--check|--write]`: the canonical text of a package. */
import type { Command } from 'commander';
import { writeFile } from 'node:fs/promises';
import { AgentSpecError, ErrorCode } from '../../../shared/errors.js';
import { format } from '../../../shared/lang/index.js';
import { readSourceFile } from '../../package/load-package.js';

export function register(program: Command): void {
  program
    .command('fmt')
    .description('print a package in canonical format (or check / rewrite it)')
    .argument('<file>', 'the .ias file')
    .option('--check', 'exit 1 when the file is not canonical; print nothing else')
    .option('--write', 'rewrite the file in place')
    .action(async (file: string, options: { check?: boolean; write?: boolean }) => {
      if (options.check && options.write) throw new AgentSpecError(ErrorCode.InvalidRequest, '--check and --write cannot be used together.');
      const source = await readSourceFile(file);
      const formatted = format(source, file);
      if (options.check) {
        if (formatted !== source) {
          process.stderr.write(`${file} is not canonical; run \`agentspec fmt --write ${file}\`.\n`);
          process.exitCode = 1;
        }
        return;
      }
      if (options.write) {
        if (formatted !== source) await writeFile(file, formatted);
        return;
      }
      process.stdout.write(formatted);
    });
}
