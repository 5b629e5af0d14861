/**
 * The runtime server the process and Docker deployers start: reads the IR
 * from `AGENTSPEC_IR` (or the first argument), listens on `HOST`:`PORT`
 * (judged for API keys by `AGENTSPEC_PUBLISHED_HOST` when a container
 * publishes the port there), requires the package's user keys (passed by its
 * deployer as variables) when it declares users, keeps sessions and runs in
 * Redis when `REDIS_URL` is set (so replicas share them), and on
 * SIGTERM/SIGINT drains in-flight requests before exiting. It is also the
 * esbuild entry of the container bundle, so it imports nothing that needs
 * the TypeScript loader.
 */
import { readFile } from 'node:fs/promises';
import { composeService } from '../shared/compose/compose-service.js';
import { createRunStoreFromEnv } from './runs/redis-run-store.js';
import { createSessionStoreFromEnv } from './sessions/redis-store.js';
import { packageUsers } from './package-users.js';
import { startServer } from './server.js';

async function main(): Promise<void> {
  const irPath = process.env.AGENTSPEC_IR ?? process.argv[2];
  if (!irPath) throw new Error('Set AGENTSPEC_IR (or pass the IR file) to the IR JSON to serve.');
  const sessions = createSessionStoreFromEnv();
  const runs = createRunStoreFromEnv();
  const service = await composeService({ json: JSON.parse(await readFile(irPath, 'utf8')) }, sessions ? { sessions } : {});
  const { ir } = service;
  const users = await packageUsers(ir, { redactor: service.redactor }).catch(async (error: unknown) => {
    await service.close();
    throw error;
  });
  const server = await startServer({
    runtime: () => service.runtime,
    users,
    ...(runs ? { runs } : {}),
    logger: service.logger,
    telemetry: service.telemetry,
    host: process.env.HOST ?? '127.0.0.1',
    port: Number(process.env.PORT ?? 8080),
    insecure: process.env.AGENTSPEC_INSECURE === '1',
    // set by the docker target on a bridge network: the host address the port is published on (PUBLISHED_HOST_VARIABLE)
    ...(process.env.AGENTSPEC_PUBLISHED_HOST ? { publishedHost: process.env.AGENTSPEC_PUBLISHED_HOST } : {}),
  });
  process.stderr.write(`agentspec: serving ${ir.package.name} (${ir.hash.slice(0, 12)}) on ${server.url}\n`);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`agentspec: ${signal} received, draining\n`);
    server
      .close()
      .then(() => runs?.close())
      .then(
        () => process.exit(0),
        () => process.exit(1),
      );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((error: unknown) => {
  process.stderr.write(`agentspec: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
