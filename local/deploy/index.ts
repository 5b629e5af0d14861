/**
 * Local deploy orchestration for the CLI: the target → Deployer map
 * (deployers.ts), the state file and its lock, and the plan / apply /
 * status / logs / destroy operations over them (operations.ts).
 */
export { applyDeploy, destroyDeploy, dryRunDeploy, logsDeploy, planDeploy, statusDeploy, type ApplyResult, type PackageOperation, type PlanResult, type StateOperation } from './operations.js';
export { deployerFor, deployers, serveCommand, SERVE_ENTRY, type DeployerFactory, type DeployerOptions, type DeployTargetKind } from './deployers.js';
export { readState, writeState, updateTargetState, statePath, STATE_FILE_NAME, type StateDocument } from './state-file.js';
export { acquireLock, withLock, lockPath, LOCK_FILE_NAME, type LockHolder, type StateLock } from './state-lock.js';
export { selectDeploy } from './select-target.js';
