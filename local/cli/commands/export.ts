/** `agentspec export <file> [--env NAME]`: the package's IR as JSON on stdout. */
import type { Command } from 'commander';
import { renderDiagnostic } from '../../../shared/lang/index.js';
import { loadPackage } from '../../package/load-package.js';

export function register(program: Command): void {
  program
    .command('export')
    .description('print the IR (JSON) of a valid package')
    .argument('<file>', 'the .ias file')
    .option('--env <name>', 'apply an environment overlay')
    .action(async (file: string, options: { env?: string }) => {
      const loadOptions: { env?: string } = {};
      if (options.env !== undefined) loadOptions.env = options.env;
      const { ir, diagnostics } = await loadPackage(file, loadOptions);
      for (const d of diagnostics) process.stderr.write(`${renderDiagnostic(d)}\n`);
      process.stdout.write(`${JSON.stringify(ir, null, 2)}\n`);
    });
}
