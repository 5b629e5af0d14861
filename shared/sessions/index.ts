/**
 * Sessions: the `SessionStore` interface, the in-memory store, the
 * compare-and-set `updateSession`, and the memory strategies. The stores with
 * a server behind them live with their target: Redis in `local/sessions/`
 * (dev server and containers), DynamoDB in `functions/lib/sessions/` (Lambda).
 */
export * from './types.js';
export { DEFAULT_SESSION_TTL_SECONDS, MemorySessionStore, type MemorySessionStoreOptions } from './memory-store.js';
export { updateSession, type UpdateSessionOptions } from './update-session.js';
export * from './memory/index.js';
