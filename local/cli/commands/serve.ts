/**
 * `agentspec serve <file.ias | ir.json>`: the production-style local server
 * (no watching, no playground) with graceful shutdown on SIGTERM/SIGINT. The
 * Docker and process deployers start this.
 */
import type { Command } from 'commander';
import { rateOption } from './dev.js';
import { parsePort, parseRate } from '../../dev/cli-options.js';
import { closeOnSignals } from '../../dev/shutdown.js';

export function register(program: Command): void {
  program
    .command('serve')
    .description('serve a package (.ias or exported IR .json) until SIGTERM')
    .argument('<file>', 'the .ias package or its IR as .json')
    .option('-p, --port <port>', 'port to listen on (default: PORT, else 8080)', parsePort)
    .option('--host <host>', 'address to bind (default: HOST, else 127.0.0.1)')
    .option('--env <name>', 'environment overlay to apply')
    .option('--insecure', 'allow a non-loopback address without API keys')
    .option('--rate-limit <n>', 'requests per minute per agent (default: AGENTSPEC_RATE_LIMIT_PER_MINUTE, else none)', parseRate)
    .action(async (file: string, options: { port?: number; host?: string; env?: string; insecure?: boolean; rateLimit?: number }) => {
      // Loaded here so that registering `serve` costs the other commands nothing.
      const { startLocalServer } = await import('../../dev/local-server.js');
      const server = await startLocalServer({
        file,
        port: options.port ?? (process.env.PORT ? parsePort(process.env.PORT) : 8080),
        host: options.host ?? process.env.HOST ?? '127.0.0.1',
        ...(options.env === undefined ? {} : { env: options.env }),
        ...(options.insecure ? { insecure: true } : {}),
        ...rateOption(options.rateLimit),
      });
      closeOnSignals(
        () => server.close(),
        (line) => process.stderr.write(`${line}\n`),
      );
    });
}
