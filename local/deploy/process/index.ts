/** The `process` deploy target: the runtime as a detached local process. */
export { ProcessDeployer, type ProcessDeployerOptions } from './process-deployer.js';
export { processFiles, type ProcessFiles } from './process-files.js';
