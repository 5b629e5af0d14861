/**
 * The one Hono app behind every entry point (dev server, `serve`, Lambda,
 * containers). It imports only Hono's core: adapters belong to the entry
 * points.
 *
 * `hono/tiny` is Hono with its PatternRouter: the default SmartRouter
 * bundles three routers and compiles one large regular expression at the
 * first request, which measured 5–12 ms of a Lambda cold start; matching
 * our dozen routes one pattern at a time costs microseconds.
 */
import { randomUUID } from 'node:crypto';
import { Hono } from 'hono/tiny';
import { matchedRoutes } from 'hono/route';
import { AgentSpecError, ErrorCode, toAgentSpecError } from '../errors.js';
import type { AgentRuntime } from '../loop/types.js';
import { ActiveRuns } from '../runs/active-runs.js';
import { MemoryRunStore } from '../runs/memory-run-store.js';
import type { RunStore } from '../runs/types.js';
import { createLogger, type Logger } from '../telemetry/logger.js';
import { Telemetry } from '../telemetry/telemetry.js';
import { ApiKeyChecker, apiKeysFromEnv } from './auth.js';
import { clientAddress } from './connection.js';
import type { AppEnv, RouteContext } from './context.js';
import { errorResponse } from './errors.js';
import { refuseNonLocal } from './local-only.js';
import { RateLimiter } from './rate-limit.js';
import { agentRoutes } from './routes/agents.js';
import { approvalRoutes } from './routes/approvals.js';
import { evalRoutes } from './routes/eval.js';
import { pipelineRoutes } from './routes/pipelines.js';
import { runRoutes } from './routes/runs.js';
import { sessionRoutes } from './routes/sessions.js';
import { systemRoutes } from './routes/system.js';
import { authorizeAdmin, authorizeAgent, authorizePipeline, type UserKeys } from './user-keys.js';

export interface AppOptions {
  /** the current runtime (a function, so a hot reload can swap it) */
  runtime: () => AgentRuntime;
  /**
   * Accepted API keys; `false` for no authentication. When omitted,
   * `AGENTSPEC_API_KEYS` (comma-separated) if set, else no authentication.
   * A list, even an empty one, requires a key: an empty list accepts none.
   */
  apiKeys?: string[] | false | undefined;
  /** the package's user keys (`resolveUserKeys`): accepted beside `apiKeys`, each limited to its agents; declared users turn authentication on */
  users?: UserKeys | undefined;
  /** refuse requests addressed to a non-loopback `Host` or sent from another origin; for a key-less server on loopback (`startServer` sets it) */
  localOnly?: boolean;
  /** requests per minute per agent (and per pipeline); no limit when omitted or 0 */
  rateLimitPerMinute?: number;
  /** reported by `/healthz` and `/openapi.json` */
  version?: string;
  /** metrics registry and tracing; a fresh one when omitted (give the same object to the runtime as its observer) */
  telemetry?: Telemetry;
  /** request body limit; 1 MiB by default */
  bodyLimitBytes?: number;
  /** when given, served at `GET /` without authentication (the page asks for a key itself) */
  playgroundHtml?: string;
  /** JSON request logs; to stderr by default */
  logger?: Logger;
  /** runs (invoke, stream, session message, pipeline) longer than this end with `timeout`, detached ones too */
  requestTimeoutMs?: number;
  /**
   * where runs and their event logs are kept (docs/http-api.md#runs); an in-process
   * `MemoryRunStore` when omitted. Whoever passes a store closes it; the
   * default one holds no connection and needs no closing.
   */
  runs?: RunStore;
}

const DEFAULT_BODY_LIMIT = 1024 * 1024;
const OPEN_PATHS = new Set(['/healthz']);
const REQUEST_ID = /^[\w.:-]{1,128}$/;

/** Creates the HTTP API app. */
export function createApp(options: AppOptions): Hono<AppEnv> {
  const logger = options.logger ?? createLogger();
  const telemetry = options.telemetry ?? new Telemetry({ logger });
  const rate = options.rateLimitPerMinute ?? 0;
  const ctx: RouteContext = {
    runtime: options.runtime,
    runs: options.runs ?? new MemoryRunStore(),
    active: new ActiveRuns(),
    ...(rate > 0 ? { limiter: new RateLimiter(rate) } : {}),
    bodyLimitBytes: options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT,
    telemetry,
    logger,
    ...(options.requestTimeoutMs === undefined ? {} : { requestTimeoutMs: options.requestTimeoutMs }),
    version: options.version ?? '0.1.0',
    startedAt: Date.now(),
  };
  const users = options.users && options.users.size > 0 ? options.users : undefined;
  const keys = options.apiKeys ?? apiKeysFromEnv() ?? (users ? [] : false);
  if (keys !== false && keys.length === 0 && !users) logger.error('API keys are required but none is configured: every request but /healthz is refused');
  const checker = keys === false && !users ? undefined : new ApiKeyChecker(keys || [], undefined, users);
  const playground = options.playgroundHtml !== undefined;

  const app = new Hono<AppEnv>();

  // Request id, one log line and one metric per request.
  app.use('*', async (c, next) => {
    const started = performance.now();
    const incoming = c.req.header('x-request-id');
    const requestId = incoming !== undefined && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    c.set('requestId', requestId);
    await next();
    c.header('x-request-id', requestId);
    const route =
      matchedRoutes(c)
        .filter((r) => r.method !== 'ALL')
        .at(-1)?.path ?? 'unmatched';
    telemetry.recordHttpRequest(c.req.method, route, c.res.status);
    logger.info('request', {
      request_id: requestId,
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      duration_ms: Math.round((performance.now() - started) * 100) / 100,
      user: c.get('user')?.name,
    });
  });

  if (options.localOnly) {
    app.use('*', async (c, next) => {
      refuseNonLocal(c.req.raw.headers);
      await next();
    });
  }

  if (checker) {
    app.use('*', async (c, next) => {
      if (!OPEN_PATHS.has(c.req.path) && !(playground && c.req.path === '/' && c.req.method === 'GET'))
        c.set('user', checker.check(c.req.raw.headers, clientAddress(c.env)));
      await next();
    });
  }
  if (users) {
    // what a user key may reach (see user-keys.ts); deploy keys pass every check
    app.use('/v1/agents/:name/*', async (c, next) => (authorizeAgent(c.get('user'), c.req.param('name')), await next()));
    // runs: checked in routes/runs.ts once the run (its agent or pipeline) is read
    app.use('/v1/pipelines/:name/*', async (c, next) => (authorizePipeline(c.get('user'), ctx.runtime().ir, c.req.param('name')), await next()));
    app.use('/v1/metrics', async (c, next) => (authorizeAdmin(c.get('user'), 'GET /v1/metrics'), await next()));
  }

  systemRoutes(app, ctx, options.playgroundHtml);
  agentRoutes(app, ctx);
  sessionRoutes(app, ctx);
  pipelineRoutes(app, ctx);
  runRoutes(app, ctx);
  approvalRoutes(app, ctx);
  // dev only: served beside the playground, see routes/eval.ts
  if (playground) evalRoutes(app, ctx);

  app.notFound((c) =>
    errorResponse(
      c,
      new AgentSpecError(ErrorCode.NotFound, `No route ${c.req.method} ${c.req.path}.`, { details: { method: c.req.method, path: c.req.path } }),
    ),
  );
  app.onError((error, c) => {
    const known = toAgentSpecError(error);
    if (known.status >= 500) logger.error('request failed', { request_id: c.get('requestId'), error: known });
    return errorResponse(c, known);
  });
  return app;
}
