/** The `docker` deploy target: image build from a generated context and one container on the local engine. */
export { DockerDeployer, type DockerDeployerOptions } from './docker-deployer.js';
export { DEFAULT_BASE_IMAGE, RUNTIME_USER, dockerfile, imageLabels, imageTag, needsPython } from './build-context.js';
export { type RuntimeExtras } from './docker-deployer.js';
export { DEFAULT_REDIS_IMAGE, RedisService, SERVICE_LABEL, type RedisServiceOptions, type RedisServiceState } from './redis-container.js';
export { buildRuntimeImage, runtimeImageTag, type RuntimeImage, type RuntimeImageRequest } from './build-image.js';
