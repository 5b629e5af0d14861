/**
 * Sessions: the `SessionStore` interface, the in-memory store, the
 * compare-and-set `updateSession`, and the memory strategies. The DynamoDB and
 * Redis stores are imported from their own files so that this index does not
 * pull in their clients.
 */
export * from './types.js';
export { DEFAULT_SESSION_TTL_SECONDS, MemorySessionStore, type MemorySessionStoreOptions } from './memory-store.js';
export { updateSession, type UpdateSessionOptions } from './update-session.js';
export * from './memory/index.js';
