/**
 * The local HTTP server: the shared Hono app on `@hono/node-server`.
 * Without API keys and without package users it serves loopback only (and
 * says so) and answers only loopback `Host` names from its own origin;
 * binding another address so is refused unless `insecure`. Declared users
 * turn authentication on by themselves (their keys, beside any deploy keys).
 * An empty key list (keys required, none given) is refused at start unless
 * users are declared. `close()` drains:
 * it stops accepting, lets in-flight requests and streams finish (bounded),
 * then closes the runtime.
 */
import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import { AgentSpecError, ErrorCode } from '../shared/errors.js';
import { apiKeysFromEnv } from '../shared/http/auth.js';
import { createApp } from '../shared/http/app.js';
import type { UserKeys } from '../shared/http/user-keys.js';
import { isLoopback } from '../shared/http/local-only.js';
import type { AgentRuntime } from '../shared/loop/types.js';
import type { RunStore } from '../shared/runs/types.js';
import { createLogger, type Logger } from '../shared/telemetry/logger.js';
import { Telemetry } from '../shared/telemetry/telemetry.js';
import { withLingeringClose } from './lingering-close.js';

export interface ServerOptions {
  /** the current runtime (hot reload swaps what it returns); compose it with `composeService` */
  runtime: () => AgentRuntime;
  host?: string;
  /** 0 picks a free port; 8080 by default */
  port?: number;
  /** accepted keys, `false` for none; `AGENTSPEC_API_KEYS` when omitted (unset: none). An empty list is refused. */
  apiKeys?: string[] | false;
  /** allow a non-loopback address without API keys */
  insecure?: boolean;
  /** the package's user keys (`resolveUserKeys`); declared users require a key on every request */
  users?: UserKeys;
  /** where runs and their logs are kept (a Redis store shared by replicas); in this process's memory by default. The caller closes it. */
  runs?: RunStore;
  /**
   * the address callers reach the listener at when that is not `host`: a container listening on 0.0.0.0 inside its
   * bridge network with the port published on the host's loopback. The API-key check and the loopback guard use it.
   */
  publishedHost?: string;
  playgroundHtml?: string;
  rateLimitPerMinute?: number;
  requestTimeoutMs?: number;
  version?: string;
  /** the runtime's observer (the service's), for `/v1/metrics`; a fresh one by default */
  telemetry?: Telemetry;
  /** the service's logger, which redacts its secrets; a plain stderr logger by default */
  logger?: Logger;
  /** human-readable start-up notices; stderr by default */
  notice?: (line: string) => void;
  /** how long `close()` waits for in-flight requests; 10 s by default */
  drainTimeoutMs?: number;
}

export interface RunningServer {
  url: string;
  port: number;
  /** Stops accepting, drains in-flight requests (bounded), closes the runtime. */
  close(): Promise<void>;
}

/** Starts the API on a real socket. */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  // who can reach the server: the published address when there is one, else the bound one
  const reach = options.publishedHost ?? host;
  const keys = options.apiKeys ?? apiKeysFromEnv() ?? false;
  const notice = options.notice ?? ((line: string) => process.stderr.write(`${line}\n`));
  const users = options.users !== undefined && options.users.size > 0 ? options.users : undefined;
  if (users) notice(`Authentication: ${users.size} package user key(s)${keys === false ? '' : ' and the API keys'}.`);
  else checkUnauthenticated(keys, host, reach, options.insecure === true, notice);

  const runtime = options.runtime;
  const logger = options.logger ?? createLogger();
  const telemetry = options.telemetry ?? new Telemetry({ logger });

  const app = createApp({
    runtime,
    apiKeys: keys,
    ...(users ? { users } : {}),
    ...(options.runs ? { runs: options.runs } : {}),
    localOnly: keys === false && !users && isLoopback(reach),
    telemetry,
    logger,
    ...(options.playgroundHtml === undefined ? {} : { playgroundHtml: options.playgroundHtml }),
    ...(options.rateLimitPerMinute === undefined ? {} : { rateLimitPerMinute: options.rateLimitPerMinute }),
    ...(options.requestTimeoutMs === undefined ? {} : { requestTimeoutMs: options.requestTimeoutMs }),
    ...(options.version === undefined ? {} : { version: options.version }),
  });

  // A 413 that cuts a body off closes the connection with a lingering close, so the client reads the 413 before any reset.
  const listener = withLingeringClose(getRequestListener(app.fetch, { hostname: host }), (lingered) => logger.debug('lingering close', { ...lingered }));
  const server = await new Promise<Server>((resolve, reject) => {
    const s = createServer(listener);
    s.once('error', (error: NodeJS.ErrnoException) =>
      reject(new AgentSpecError(ErrorCode.ConfigError, `Cannot listen on ${host}:${options.port ?? 8080}: ${error.code ?? error.message}.`, { cause: error })),
    );
    s.listen(options.port ?? 8080, host, () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      const drained = new Promise<void>((resolve) => server.close(() => resolve()));
      // Keep-alive connections turn idle as their last response ends; close each then, not after the keep-alive timeout.
      server.closeIdleConnections();
      const sweep = setInterval(() => server.closeIdleConnections(), 25);
      void drained.then(() => clearInterval(sweep));
      const deadline = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), options.drainTimeoutMs ?? 10_000).unref());
      if ((await Promise.race([drained, deadline])) === 'timeout') {
        server.closeAllConnections();
        await drained;
      }
      await runtime().close();
      await telemetry.shutdown();
    })());
  return { url, port, close };
}

/** Without users: refuses an empty key list, and a non-loopback address without keys unless `insecure`; says how it serves. */
function checkUnauthenticated(keys: string[] | false, host: string, reach: string, insecure: boolean, notice: (line: string) => void): void {
  if (keys !== false && keys.length === 0) {
    throw new AgentSpecError(
      ErrorCode.ConfigError,
      'API keys are required but none is configured (AGENTSPEC_API_KEYS is set but names no key): every request would be refused. Set at least one key, or unset AGENTSPEC_API_KEYS to serve loopback without authentication.',
    );
  }
  if (keys !== false) return;
  if (!isLoopback(reach)) {
    if (!insecure) {
      throw new AgentSpecError(
        ErrorCode.ConfigError,
        `Refusing to serve on ${reach} without API keys: set AGENTSPEC_API_KEYS, bind 127.0.0.1, or pass --insecure to accept unauthenticated access.`,
        { details: { host: reach } },
      );
    }
    notice(`WARNING: serving on ${reach} WITHOUT authentication (--insecure). Anyone who can reach this address can run your agents.`);
    return;
  }
  const where = reach === host ? `loopback ${host}` : `${host}, published on loopback ${reach}`;
  notice(`No API keys configured (AGENTSPEC_API_KEYS): serving on ${where} only, without authentication.`);
}
