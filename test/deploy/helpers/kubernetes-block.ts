/** A kubernetes deploy block for the manifest suites: one replica in namespace "agents", no env or secrets unless given. */
import type { IRDeploy } from '../../../shared/ir/types.js';

export function kubernetesBlock(attributes: Partial<IRDeploy['attributes']> = {}): IRDeploy {
  return {
    kind: 'Deploy',
    name: 'prod',
    fqn: 'test/Deploy/prod',
    hash: '0'.repeat(64),
    attributes: { target: 'kubernetes', default: false, env: {}, secrets: {}, namespace: 'agents', replicas: 1, ...attributes },
  };
}
