/** `agentspec logs [--target NAME] [--follow] [--since 10m]`: the runtime's logs from whichever target. */
import type { Command } from 'commander';
import { AgentSpecError, ErrorCode } from '../../../shared/errors.js';
import { logsDeploy } from '../../deploy/operations.js';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `10m` → 600000. */
export function parseSince(text: string): number {
  const match = /^(\d+)(ms|s|m|h|d)$/.exec(text.trim());
  if (!match) throw new AgentSpecError(ErrorCode.InvalidRequest, `--since expects a duration like 30s, 10m or 2h, not "${text}".`);
  return Number(match[1]) * (UNITS[match[2] ?? 's'] ?? 1000);
}

export function register(program: Command): void {
  program
    .command('logs')
    .description('print (or follow) the logs of a deployed target')
    .option('--target <name>', 'the target (needed when several are deployed)')
    .option('--dir <path>', 'directory holding .agentspec.state.json (default: here, or the only deployment below)')
    .option('-f, --follow', 'keep printing new lines')
    .option('--since <duration>', 'only lines from this far back, e.g. 10m')
    .action(async (options: { target?: string; dir?: string; follow?: boolean; since?: string }) => {
      const controller = new AbortController();
      process.once('SIGINT', () => controller.abort());
      for await (const line of logsDeploy({
        ...(options.dir ? { dir: options.dir } : {}),
        signal: controller.signal,
        progress: (message) => process.stderr.write(`… ${message}\n`),
        ...(options.target ? { target: options.target } : {}),
        ...(options.follow ? { follow: true } : {}),
        ...(options.since ? { sinceMs: parseSince(options.since) } : {}),
      })) {
        process.stdout.write(`${line}\n`);
      }
    });
}
