/** The `docker-compose` deploy target: the generated compose file and the deployer that runs the stack (runtime, Redis) on the engine. */
export { ComposeDeployer, type ComposeDeployerOptions } from './compose-deployer.js';
export { COMPOSE_FILE_NAME, REDIS_PORT, composeDocument, composeYaml, needsRedis, redisUrl, type ComposeInput } from './compose-file.js';
