/** `agentspec validate <file> [--json]`: every diagnostic of a package; exit 0 when valid, 1 when not. */
import type { Command } from 'commander';
import { check, renderDiagnostic } from '../../../shared/lang/index.js';
import { readSourceFile } from '../../package/load-package.js';

export function register(program: Command): void {
  program
    .command('validate')
    .description('check an IntentLang 2.0 package and report every error with file:line:col')
    .argument('<file>', 'the .ias file')
    .option('--json', 'print {"valid", "diagnostics"} as JSON')
    .action(async (file: string, options: { json?: boolean }) => {
      const source = await readSourceFile(file);
      const diagnostics = check(source, file);
      const valid = !diagnostics.some((d) => d.severity === 'error');
      if (options.json) {
        const list = diagnostics.map((d) => ({ severity: d.severity, message: d.message, hint: d.hint ?? null, file: d.file, line: d.line, column: d.column }));
        process.stdout.write(`${JSON.stringify({ valid, diagnostics: list }, null, 2)}\n`);
      } else {
        for (const d of diagnostics) process.stdout.write(`${renderDiagnostic(d, source)}\n`);
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
