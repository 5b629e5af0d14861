/**
 * What `agentspec dev` and `agentspec serve` run: load a package, compose its
 * runtime, serve it, and (dev) watch its files (the entry and every file it
 * imports, kept current as imports change) and reload on change. A reload
 * that does not validate keeps the previous package serving and reports the
 * diagnostics; a good one swaps the runtime and closes the old one once its
 * in-flight work had time to finish. The package's users' keys are required
 * on every request; a reload changes them, but one that would turn keys on
 * or off is refused until a restart.
 */
import { watch, type FSWatcher } from 'chokidar';
import { dirname, resolve } from 'node:path';
import type { ComposeOptions } from '../../shared/compose/compose-runtime.js';
import { composeService, createServiceContext } from '../../shared/compose/compose-service.js';
import { AgentSpecError, ErrorCode, toAgentSpecError } from '../../shared/errors.js';
import type { UserKeys } from '../../shared/http/user-keys.js';
import { resourcesOf } from '../../shared/ir/types.js';
import type { AgentRuntime } from '../../shared/loop/types.js';
import { MemorySessionStore } from '../../shared/sessions/index.js';
import { createSessionStoreFromEnv } from '../sessions/redis-store.js';
import { createRunStoreFromEnv } from '../runs/redis-run-store.js';
import { MemoryRunStore } from '../../shared/runs/memory-run-store.js';
import type { Logger } from '../../shared/telemetry/logger.js';
import { Telemetry } from '../../shared/telemetry/telemetry.js';
import { loadPackage } from '../package/load-package.js';
import { packageUsers } from '../package-users.js';
import { startServer } from '../server.js';
import { keepOpen } from './shared-sessions.js';

export interface LocalServerOptions {
  file: string;
  env?: string;
  host?: string;
  port?: number;
  /** `false` for none; `AGENTSPEC_API_KEYS` when omitted */
  apiKeys?: string[] | false;
  insecure?: boolean;
  /** reload when the file changes (dev) */
  watch?: boolean;
  playgroundHtml?: string;
  rateLimitPerMinute?: number;
  /** human output (URL, endpoints, reloads); stdout by default */
  out?: (line: string) => void;
  /** diagnostics and warnings; stderr by default */
  err?: (line: string) => void;
  /** JSON request logs; stderr with secret redaction by default */
  logger?: Logger;
  /** extra composition options (tests inject a model provider) */
  compose?: Pick<ComposeOptions, 'providerFor' | 'secretResolvers' | 'sandbox'>;
  /** how long an old runtime keeps serving in-flight requests after a reload; 30 s by default */
  retireAfterMs?: number;
}

export interface LocalServer {
  url: string;
  /** the runtime serving now */
  current(): AgentRuntime;
  /** reloads the file now; false (previous package kept) when it does not validate */
  reload(): Promise<boolean>;
  close(): Promise<void>;
}

/** Loads, composes and serves a package; with `watch`, reloads it on change. */
export async function startLocalServer(options: LocalServerOptions): Promise<LocalServer> {
  const out = options.out ?? ((line: string) => process.stdout.write(`${line}\n`));
  const err = options.err ?? ((line: string) => process.stderr.write(`${line}\n`));
  const file = resolve(options.file);
  const store = createSessionStoreFromEnv() ?? new MemorySessionStore();
  // runs live in the app, which a reload keeps: one store for every runtime this server loads
  const runs = createRunStoreFromEnv() ?? new MemoryRunStore();
  const closeStores = () => Promise.all([store.close().catch(() => {}), runs.close().catch(() => {})]);
  // One context for every runtime this server composes: a reload keeps the redactor, logs, metrics and sessions.
  const shared = createServiceContext({ sessions: keepOpen(store) });
  const context = options.logger ? { ...shared, logger: options.logger, telemetry: new Telemetry({ logger: options.logger }) } : shared;
  // The package's files: the entry and every file it imports (missing ones too, so creating one reloads).
  let dependencies = [file];
  let users: UserKeys | undefined;
  const compose = async (): Promise<AgentRuntime> => {
    let loaded;
    try {
      loaded = await loadPackage(file, options.env === undefined ? {} : { env: options.env });
    } catch (error) {
      // A package that does not validate still names the files it read: watch new ones too.
      const named = (error as { details?: { dependencies?: unknown } }).details?.dependencies;
      if (Array.isArray(named)) dependencies = [...new Set([...dependencies, ...(named as string[])])];
      throw error;
    }
    dependencies = loaded.dependencies;
    for (const d of loaded.diagnostics) err(`warning: ${d.message}`);
    const nextUsers = await packageUsers(loaded.ir, { redactor: context.redactor, secretResolvers: options.compose?.secretResolvers });
    if (users && users.size > 0 !== nextUsers.size > 0) {
      throw new AgentSpecError(
        ErrorCode.ConfigError,
        `The package ${nextUsers.size > 0 ? 'now declares' : 'no longer declares'} users, which turns API keys ${nextUsers.size > 0 ? 'on' : 'off'}: restart the server to apply it.`,
      );
    }
    const runtime = (await composeService({ ir: loaded.ir }, { ...options.compose, context, workdir: dirname(file) })).runtime;
    // the app keeps the first UserKeys object: a reload changes the users in it
    if (users) users.replaceWith(nextUsers);
    else users = nextUsers;
    return runtime;
  };

  let runtime = await compose().catch(async (error: unknown) => {
    await closeStores();
    throw error;
  });
  const retiring = new Set<AgentRuntime>();
  const server = await startServer({
    runtime: () => runtime,
    logger: context.logger,
    telemetry: context.telemetry,
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 8080,
    ...(options.apiKeys === undefined ? {} : { apiKeys: options.apiKeys }),
    ...(options.insecure === undefined ? {} : { insecure: options.insecure }),
    ...(users ? { users } : {}),
    runs,
    ...(options.playgroundHtml === undefined ? {} : { playgroundHtml: options.playgroundHtml }),
    ...(options.rateLimitPerMinute === undefined ? {} : { rateLimitPerMinute: options.rateLimitPerMinute }),
    notice: err,
  }).catch(async (error: unknown) => {
    await runtime.close().catch(() => {});
    await closeStores();
    throw error;
  });
  out(`AgentSpec serving ${options.file} at ${server.url}`);
  printEndpoints(runtime, server.url, out);

  let watcher: FSWatcher | undefined;
  let watched = new Set<string>();
  /** Watches exactly the package's files now (imports added or removed by an edit included). */
  const rewatch = () => {
    if (!watcher) return;
    const next = new Set(dependencies);
    const added = [...next].filter((p) => !watched.has(p));
    const removed = [...watched].filter((p) => !next.has(p));
    if (added.length) watcher.add(added);
    if (removed.length) watcher.unwatch(removed);
    watched = next;
  };
  const reload = async (): Promise<boolean> => {
    let next: AgentRuntime;
    try {
      next = await compose();
    } catch (error) {
      rewatch();
      err(`Reload of ${options.file} failed; the previous package keeps serving.\n${toAgentSpecError(error, 'input_error').message}`);
      return false;
    }
    rewatch();
    const old = runtime;
    runtime = next;
    retiring.add(old);
    setTimeout(() => void retire(old), options.retireAfterMs ?? 30_000).unref();
    out(`Reloaded ${options.file}: ${next.agents().length} agent(s).`);
    printEndpoints(next, server.url, out);
    return true;
  };
  const retire = async (old: AgentRuntime) => {
    if (!retiring.delete(old)) return;
    await old.close().catch((error) => err(`closing the previous runtime failed: ${toAgentSpecError(error).message}`));
  };

  if (options.watch) {
    let timer: NodeJS.Timeout | undefined;
    let chain = Promise.resolve();
    watched = new Set(dependencies);
    watcher = watch([...watched], { ignoreInitial: true, awaitWriteFinish: { stabilityThreshold: 50, pollInterval: 10 } });
    watcher.on('all', () => {
      // Editors write in bursts; reload once per burst, one reload at a time.
      clearTimeout(timer);
      timer = setTimeout(() => {
        chain = chain.then(() => reload().then(() => undefined));
      }, 50);
    });
    await new Promise<void>((ready) => watcher!.once('ready', () => ready()));
    const imported = watched.size - 1;
    out(`Watching ${options.file}${imported > 0 ? ` and ${imported} imported file${imported > 1 ? 's' : ''}` : ''} for changes.`);
  }

  return {
    url: server.url,
    current: () => runtime,
    reload,
    close: async () => {
      await watcher?.close();
      await server.close();
      await Promise.all([...retiring].map(retire));
      await Promise.all([store.close(), runs.close()]);
    },
  };
}

function printEndpoints(runtime: AgentRuntime, url: string, out: (line: string) => void): void {
  for (const agent of runtime.agents()) {
    out(`  agent ${agent.name} (${agent.model}, ${agent.strategy})`);
    out(`    POST ${url}/v1/agents/${agent.name}/invoke`);
    out(`    POST ${url}/v1/agents/${agent.name}/stream`);
    out(`    POST ${url}/v1/agents/${agent.name}/sessions`);
  }
  for (const pipeline of resourcesOf(runtime.ir, 'Pipeline')) out(`  pipeline ${pipeline.name}\n    POST ${url}/v1/pipelines/${pipeline.name}/run`);
  out(`  GET ${url}/healthz · ${url}/v1/metrics · ${url}/openapi.json`);
}
