/** The IR: its types, its JSON Schema, validation/loading, and content hashing. */
export * from './types.js';
export { IR_SCHEMA } from './schema.js';
export { loadIR, validateIR } from './load.js';
export { canonicalJson, sha256Hex } from './hash.js';
