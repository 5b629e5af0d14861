/** `agentspec migrate --to-v2 <file> [--write]`: rewrites an IntentLang 1.0 package as 2.0. */
import type { Command } from 'commander';
import { writeFile } from 'node:fs/promises';
import { AgentSpecError, ErrorCode } from '../../../shared/errors.js';
import { check, migrateToV2, renderDiagnostic } from '../../../shared/lang/index.js';
import { readSourceFile } from '../../package/load-package.js';

export function register(program: Command): void {
  program
    .command('migrate')
    .description('migrate an IntentLang 1.0 package to 2.0')
    .argument('<file>', 'the 1.0 file')
    .requiredOption('--to-v2', 'migrate to IntentLang 2.0 (the only migration)')
    .option('--write', 'rewrite the file in place instead of printing')
    .action(async (file: string, options: { toV2?: boolean; write?: boolean }) => {
      const source = await readSourceFile(file);
      const migrated = migrateToV2(source, file);
      const remaining = check(migrated, file).filter((d) => d.severity === 'error' && d.code !== 'migrate');
      if (remaining.length > 0) {
        throw new AgentSpecError(
          ErrorCode.ValidationError,
          `The migrated package still has errors to fix by hand:\n${remaining.map((d) => renderDiagnostic(d)).join('\n')}`,
          { details: { diagnostics: remaining } },
        );
      }
      if (options.write) await writeFile(file, migrated);
      else process.stdout.write(migrated);
    });
}
