/** The `docker` deploy target: image build from a generated context and one container on the local engine. */
export { DockerDeployer, type DockerDeployerOptions } from './docker-deployer.js';
export { DEFAULT_BASE_IMAGE, RUNTIME_USER, dockerfile, imageLabels, imageTag, needsPython } from './build-context.js';
