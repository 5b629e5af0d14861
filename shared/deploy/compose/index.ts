/** The `docker-compose` deploy target: the generated compose file and the deployer that runs it on the engine. */
export { ComposeDeployer } from './compose-deployer.js';
export { COMPOSE_FILE_NAME, composeDocument, composeProject, composeYaml, needsRedis, type ComposeInput } from './compose-file.js';
