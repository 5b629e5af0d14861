/** `agentspec validate <file> [--json]`: every diagnostic of a package (the file and the files it imports); exit 0 when valid, 1 when not. */
import type { Command } from 'commander';
import { renderDiagnostic } from '../../../shared/lang/index.js';
import { compileFromDisk } from '../../package/load-package.js';

export function register(program: Command): void {
  program
    .command('validate')
    .description('check an IntentLang 2.0 package and report every error with file:line:col')
    .argument('<file>', 'the .ias file')
    .option('--json', 'print {"valid", "diagnostics"} as JSON')
    .action(async (file: string, options: { json?: boolean }) => {
      // The whole package: the file and every file it imports, each diagnostic with its own file.
      const { diagnostics, files } = await compileFromDisk(file);
      const valid = !diagnostics.some((d) => d.severity === 'error');
      if (options.json) {
        const list = diagnostics.map((d) => ({ severity: d.severity, message: d.message, hint: d.hint ?? null, file: d.file, line: d.line, column: d.column }));
        process.stdout.write(`${JSON.stringify({ valid, diagnostics: list }, null, 2)}\n`);
      } else {
        for (const d of diagnostics) process.stdout.write(`${renderDiagnostic(d, files.get(d.file))}\n`);
        const errors = diagnostics.filter((d) => d.severity === 'error').length;
        const warnings = diagnostics.length - errors;
        process.stdout.write(
          valid
            ? `${file} is valid${warnings ? ` (${warnings} warning${warnings > 1 ? 's' : ''})` : ''}.\n`
            : `${file}: ${errors} error${errors > 1 ? 's' : ''}.\n`,
        );
      }
      if (!valid) process.exitCode = 1;
    });
}
