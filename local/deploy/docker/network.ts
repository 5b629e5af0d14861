/**
 * The network a runtime container joins: `host` (the host's stack, the port
 * bound directly) or `bridge` (a per-package user-defined bridge network,
 * the port published on the block's `host` address only). Unset means
 * bridge when the engine has its default `bridge` network, host otherwise
 * (an engine started with `--bridge=none`). The choice is pure; the engine
 * calls (is there a bridge, create and remove our network) sit beside it.
 */
import type Docker from 'dockerode';
import { AgentSpecError, ErrorCode } from '../../../shared/errors.js';
import type { CONTAINER_NETWORKS } from '../../../shared/ir/enums.js';
import { LABEL_PREFIX } from './build-context.js';

export type ContainerNetwork = (typeof CONTAINER_NETWORKS)[number];

export interface NetworkChoice {
  mode: ContainerNetwork;
  /** why, for plan and progress */
  reason: string;
}

/**
 * The network of a deploy block on an engine with or without a `bridge` network; `config_error` for an explicit
 * bridge the engine lacks, or one the runtime cannot use because it needs a service on the host's loopback
 * (`loopbackNeed` says which, e.g. the compose stack's Redis).
 */
export function chooseNetwork(deployName: string, requested: ContainerNetwork | undefined, engineHasBridge: boolean, loopbackNeed?: string): NetworkChoice {
  if (requested === 'host') return { mode: 'host', reason: 'network "host" in the deploy block' };
  if (loopbackNeed !== undefined) {
    if (requested === 'bridge') {
      throw new AgentSpecError(
        ErrorCode.ConfigError,
        `Deploy "${deployName}" asks for network "bridge", but the runtime needs ${loopbackNeed} on the host's loopback, which a bridge network cannot reach: use network "host".`,
        { details: { deploy: deployName, network: 'bridge' } },
      );
    }
    return { mode: 'host', reason: `the runtime needs ${loopbackNeed} on the host's loopback` };
  }
  if (requested === 'bridge') {
    if (!engineHasBridge) {
      throw new AgentSpecError(
        ErrorCode.ConfigError,
        `Deploy "${deployName}" asks for network "bridge", but this Docker engine has no bridge network (dockerd runs with --bridge=none): use network "host", or run the engine with its default bridge.`,
        { details: { deploy: deployName, network: 'bridge' } },
      );
    }
    return { mode: 'bridge', reason: 'network "bridge" in the deploy block' };
  }
  return engineHasBridge
    ? { mode: 'bridge', reason: 'the default: the engine has a bridge network' }
    : { mode: 'host', reason: 'the engine has no bridge network (dockerd --bridge=none), so host networking' };
}

/** `agentspec-<package>`: the user-defined bridge network of a package's containers. */
export function bridgeNetworkName(packageName: string): string {
  return `agentspec-${packageName}`.toLowerCase().replace(/[^a-z0-9_.-]/g, '-');
}

/** True when the engine has its default `bridge` network. */
export async function engineHasBridge(docker: Docker): Promise<boolean> {
  const networks = await docker.listNetworks({ filters: { name: ['bridge'] } });
  return networks.some((n) => n.Name === 'bridge' && n.Driver === 'bridge');
}

/** Creates the package's bridge network unless it exists; labelled as ours. */
export async function ensureBridgeNetwork(docker: Docker, packageName: string): Promise<string> {
  const name = bridgeNetworkName(packageName);
  const exists = await docker
    .getNetwork(name)
    .inspect()
    .then(() => true)
    .catch(() => false);
  if (!exists) {
    await docker.createNetwork({
      Name: name,
      Driver: 'bridge',
      CheckDuplicate: true,
      Labels: { [`${LABEL_PREFIX}.package`]: packageName, [`${LABEL_PREFIX}.managed-by`]: 'agentspec' },
    });
  }
  return name;
}

/** Removes the package's bridge network when it is ours and no container is left on it. */
export async function removeBridgeNetworkIfUnused(docker: Docker, packageName: string): Promise<boolean> {
  const network = docker.getNetwork(bridgeNetworkName(packageName));
  const info = (await network.inspect().catch(() => undefined)) as { Labels?: Record<string, string>; Containers?: Record<string, unknown> } | undefined;
  if (!info || info.Labels?.[`${LABEL_PREFIX}.managed-by`] !== 'agentspec') return false;
  if (Object.keys(info.Containers ?? {}).length > 0) return false;
  await network.remove().catch(() => undefined);
  return true;
}
