/**
 * The HTTP API (docs/http-api.md) as one Hono app: `createApp`, plus the pieces
 * entry points and tests reuse (the OpenAPI document and route table, auth,
 * the rate limiter).
 */
export { createApp, type AppOptions } from './app.js';
export type { AppEnv } from './context.js';
export { openApiDocument, routesOf, ROUTES, type RouteSpec } from './openapi.js';
export { ApiKeyChecker, apiKeysFromEnv } from './auth.js';
export { RateLimiter } from './rate-limit.js';
export * as schemas from './schemas.js';
