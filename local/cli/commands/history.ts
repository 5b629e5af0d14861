/** `agentspec history [--target NAME] [--dir PATH] [--json]`: the kept versions of deployed targets, newest first. */
import type { Command } from 'commander';
import { historyDeploy, type HistoryResult } from '../../deploy/operations.js';
import type { VersionRecord } from '../../deploy/history.js';

export function register(program: Command): void {
  program
    .command('history')
    .description('the kept versions of deployed targets (what rollback can go back to), newest first')
    .option('--target <name>', 'only this target')
    .option('--dir <path>', 'directory holding .agentspec.state.json (default: here, or the only deployment below)')
    .option('--json', 'machine-readable output')
    .action(async (options: { target?: string; dir?: string; json?: boolean }) => {
      const histories = await historyDeploy({ ...(options.dir ? { dir: options.dir } : {}), ...(options.target ? { target: options.target } : {}) });
      if (options.json) {
        process.stdout.write(`${JSON.stringify(histories, null, 2)}\n`);
        return;
      }
      if (histories.length === 0) process.stdout.write('Nothing is deployed from here.\n');
      for (const history of histories) process.stdout.write(historyTable(history));
    });
}

/** One target's versions as a table, newest first, the current one marked `*`. */
export function historyTable(history: HistoryResult): string {
  const head = `${history.target} (${history.kind}) in ${history.dir}:\n`;
  if (history.versions.length === 0) return `${head}  no versions recorded yet; the next apply records the current deployment as version 1.\n`;
  const rows = [...history.versions]
    .reverse()
    .map((v) => [
      `${v.version === history.current ? '*' : ' '} v${v.version}`,
      v.applied_at,
      v.ir_hash.slice(0, 12),
      artifact(v),
      v.rollback_of !== undefined ? `rollback of v${v.rollback_of}` : '',
    ]);
  const table = [['  VERSION', 'APPLIED', 'IR HASH', 'ARTIFACT', ''], ...rows];
  const widths = table[0]?.map((_, i) => Math.max(...table.map((r) => (r[i] ?? '').length))) ?? [];
  return head + table.map((r) => `  ${r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ')}`.trimEnd()).join('\n') + '\n';
}

/** What runs a version: the pushed reference, the image (tag, short id) or the pid. */
function artifact(version: VersionRecord): string {
  const ids = version.state.ids;
  if (ids.image_ref !== undefined) return String(ids.image_ref);
  if (ids.image !== undefined) {
    const id = String(ids.image)
      .replace(/^sha256:/, '')
      .slice(0, 12);
    return ids.tag !== undefined ? `${String(ids.tag)} (${id})` : id;
  }
  if (ids.pid !== undefined) return `pid ${String(ids.pid)}`;
  return '';
}
