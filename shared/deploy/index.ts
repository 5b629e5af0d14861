/**
 * Deploy targets behind one `Deployer` interface (types.ts). Each target is
 * its own folder, imported directly so loading one never loads another's
 * client: process/, docker/ (dockerode), compose/, kubernetes/
 * (@kubernetes/client-node), hot-swap/ (Lambda). Shared helpers: health
 * waits, fingerprints, resource quantities, log-file following.
 */
export type { DeployContext, Deployer, LogOptions, PlanItem, TargetState, TargetStatus } from './types.js';
export { fingerprint, deploySettings } from './fingerprint.js';
export { probeHealth, waitHealthy, type WaitHealthyOptions } from './health.js';
export { parseCpu, parseMemory } from './quantity.js';
export { followFile } from './follow-file.js';
