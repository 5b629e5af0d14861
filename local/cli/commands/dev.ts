/**
 * `agentspec dev <file.ias>`: serves the package with the playground at `/`,
 * prints each agent's endpoints, and reloads when the file changes (an edit
 * that does not validate keeps the previous package serving).
 */
import type { Command } from 'commander';
import { missingModelKeys } from '../../../shared/llm/model-keys.js';
import { closeOnSignals } from '../../dev/shutdown.js';
import { parsePort, parseRate } from '../../dev/cli-options.js';

export function register(program: Command): void {
  program
    .command('dev')
    .description('serve a package locally with the playground, reloading on change')
    .argument('<file>', 'the .ias package')
    .option('-p, --port <port>', 'port to listen on', parsePort, 8080)
    .option('--host <host>', 'address to bind', '127.0.0.1')
    .option('--env <name>', 'environment overlay to apply')
    .option('--insecure', 'allow a non-loopback address without API keys')
    .option('--rate-limit <n>', 'requests per minute per agent (default: AGENTSPEC_RATE_LIMIT_PER_MINUTE, else none)', parseRate)
    .action(async (file: string, options: { port: number; host: string; env?: string; insecure?: boolean; rateLimit?: number }) => {
      // Loaded here, not at the top: every CLI command registers this one, and only `dev` needs the runtime.
      const [{ startLocalServer }, { playgroundHtml }] = await Promise.all([
        import('../../dev/local-server.js'),
        import('../../playground/build-playground.js'),
      ]);
      const server = await startLocalServer({
        file,
        watch: true,
        port: options.port,
        host: options.host,
        ...(options.env === undefined ? {} : { env: options.env }),
        ...(options.insecure ? { insecure: true } : {}),
        ...rateOption(options.rateLimit),
        playgroundHtml: await playgroundHtml(),
      });
      for (const [variable, agents] of missingModelKeys(server.current().ir, process.env)) {
        process.stderr.write(
          `${variable} is not set (needed by ${agents.join(', ')}): every route works, but invoking those agents answers with an error until you export it.\n`,
        );
      }
      process.stdout.write(`Playground: ${server.url}/\n`);
      closeOnSignals(
        () => server.close(),
        (line) => process.stderr.write(`${line}\n`),
      );
    });
}

export function rateOption(flag: number | undefined): { rateLimitPerMinute?: number } {
  const value = flag ?? (process.env.AGENTSPEC_RATE_LIMIT_PER_MINUTE ? parseRate(process.env.AGENTSPEC_RATE_LIMIT_PER_MINUTE) : undefined);
  return value === undefined ? {} : { rateLimitPerMinute: value };
}
