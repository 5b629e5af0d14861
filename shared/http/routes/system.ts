/** Operational routes: health, metrics, the OpenAPI document and the optional playground page. */
import type { Hono } from 'hono';
import type { AppEnv, RouteContext } from '../context.js';
import { openApiDocument } from '../openapi.js';

/**
 * `/healthz` names what it serves the same way on every entry point (dev
 * server, `startServer`, the Lambda run function): the runtime's version, the
 * package's name and version, and the IR hash, which changes with a hot swap.
 */
export function systemRoutes(app: Hono<AppEnv>, ctx: RouteContext, playgroundHtml?: string): void {
  app.get('/healthz', (c) => {
    const runtime = ctx.runtime();
    const { isolation, ir } = runtime;
    return c.json({
      status: 'ok',
      uptime_s: Math.round((Date.now() - ctx.startedAt) / 1000),
      agents: runtime.agents().length,
      version: ctx.version,
      package: { name: ir.package.name, version: ir.package.version },
      ir_hash: ir.hash,
      ...(isolation ? { inline_code: { mode: isolation.mode, seccomp: isolation.seccomp, missing: isolation.missing } } : {}),
    });
  });

  app.get('/v1/metrics', async (c) => {
    const { text, contentType } = await ctx.telemetry.metricsExposition();
    return c.body(text, 200, { 'content-type': contentType });
  });

  // Built on the first request for it: converting every schema to JSON Schema is a cold start cost most servers never need.
  let openapi: Record<string, unknown> | undefined;
  app.get('/openapi.json', (c) => c.json((openapi ??= openApiDocument({ version: ctx.version, playground: playgroundHtml !== undefined }))));

  if (playgroundHtml !== undefined) app.get('/', (c) => c.html(playgroundHtml));
}
