/** The `kubernetes` deploy target: manifests (pure) and the deployer that applies them with server-side apply. */
export { KubernetesDeployer, FIELD_MANAGER, failingReason, type KubernetesDeployerOptions } from './kubernetes-deployer.js';
export { buildManifests, redactManifests, appName, labelsOf, namespaceOf, type Manifest, type ManifestInput } from './manifests.js';
export { manifestsYaml } from './manifests-yaml.js';
export { parseImageRef, repositoryName } from './image-ref.js';
