/**
 * `agentspec migrate --to-v2|--to-v3 <file> [--write]`: rewrites a package in
 * the next IntentLang version (1.0 → 2.0, or 2.0 → 3.0), printed or in place.
 */
import type { Command } from 'commander';
import { writeFile } from 'node:fs/promises';
import { AgentSpecError, ErrorCode } from '../../../shared/errors.js';
import { check, migrateToV2, renderDiagnostic } from '../../../shared/lang/index.js';
import { migrateToV3 } from '../../../shared/lang/migrate.js';
import { readSourceFile } from '../../package/load-package.js';

interface Options {
  toV2?: boolean;
  toV3?: boolean;
  write?: boolean;
}

export function register(program: Command): void {
  program
    .command('migrate')
    .description('migrate an IntentLang package to the next language version (1.0 → 2.0, 2.0 → 3.0)')
    .argument('<file>', 'the .ias file')
    .option('--to-v2', 'migrate an IntentLang 1.0 package to 2.0')
    .option('--to-v3', 'migrate an IntentLang 2.0 package to 3.0 (lists each change on stderr)')
    .option('--write', 'rewrite the file in place instead of printing')
    .action(async (file: string, options: Options) => {
      if (!options.toV2 === !options.toV3) throw new AgentSpecError(ErrorCode.InputError, 'Say which migration: --to-v2 (1.0 → 2.0) or --to-v3 (2.0 → 3.0).');
      const source = await readSourceFile(file);
      let migrated: string;
      if (options.toV3) {
        const result = migrateToV3(source, file, check(source, file));
        migrated = result.text;
        process.stderr.write(
          result.changes.length > 0 ? result.changes.map((c) => `${c}\n`).join('') : `${file} declares lang "3.0" already; nothing to change.\n`,
        );
      } else {
        migrated = migrateToV2(source, file);
      }
      const remaining = check(migrated, file).filter((d) => d.severity === 'error' && d.code !== 'migrate');
      if (remaining.length > 0) {
        throw new AgentSpecError(
          ErrorCode.ValidationError,
          `The migrated package still has errors to fix by hand:\n${remaining.map((d) => renderDiagnostic(d)).join('\n')}`,
          { details: { diagnostics: remaining } },
        );
      }
      if (options.write) {
        if (migrated !== source) await writeFile(file, migrated);
      } else process.stdout.write(migrated);
    });
}
