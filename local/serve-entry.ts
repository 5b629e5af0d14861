/**
 * The runtime server the process and Docker deployers start: reads the IR
 * from `AGENTSPEC_IR` (or the first argument), listens on `HOST`:`PORT`,
 * uses Redis sessions when `REDIS_URL` is set, and on SIGTERM/SIGINT drains
 * in-flight requests before exiting. It is also the esbuild entry of the
 * container bundle, so it imports nothing that needs the TypeScript loader.
 */
import { readFile } from 'node:fs/promises';
import { composeRuntime } from '../shared/compose/compose-runtime.js';
import type { IRDocument } from '../shared/ir/types.js';
import { createSessionStoreFromEnv } from '../shared/sessions/redis-store.js';
import { Telemetry } from '../shared/telemetry/telemetry.js';
import { startServer } from './server.js';

async function main(): Promise<void> {
  const irPath = process.env.AGENTSPEC_IR ?? process.argv[2];
  if (!irPath) throw new Error('Set AGENTSPEC_IR (or pass the IR file) to the IR JSON to serve.');
  const ir = JSON.parse(await readFile(irPath, 'utf8')) as IRDocument;
  const telemetry = new Telemetry({});
  const sessions = createSessionStoreFromEnv();
  const runtime = await composeRuntime(ir, { observer: telemetry, ...(sessions ? { sessions } : {}) });
  const server = await startServer({
    runtime: () => runtime,
    telemetry,
    host: process.env.HOST ?? '127.0.0.1',
    port: Number(process.env.PORT ?? 8080),
    insecure: process.env.AGENTSPEC_INSECURE === '1',
    version: ir.hash,
  });
  process.stderr.write(`agentspec: serving ${ir.package.name} (${ir.hash.slice(0, 12)}) on ${server.url}\n`);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`agentspec: ${signal} received, draining\n`);
    server.close().then(
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
