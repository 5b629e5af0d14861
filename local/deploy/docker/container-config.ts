/**
 * The create options of a runtime container, from the deploy block's
 * settings and the chosen network. Pure, so tests read what the engine will
 * get. Host networking: the runtime binds `host`:`port` on the host's stack.
 * Bridge: the container sits on the package's bridge network, listens on
 * 0.0.0.0 inside, and the port is published on `host` only; the runtime is
 * told that address (`AGENTSPEC_PUBLISHED_HOST`) so its API-key check judges
 * who can reach it by the published address, not by 0.0.0.0.
 */
import type Docker from 'dockerode';
import { parseCpu, parseMemory } from '../quantity.js';
import type { ContainerNetwork } from './network.js';

/** The variable telling the runtime the address its port is published on (read by local/serve-entry.ts). */
export const PUBLISHED_HOST_VARIABLE = 'AGENTSPEC_PUBLISHED_HOST';
export const RESTART_POLICY = 'unless-stopped';
/** The label listing the names (never the values) of the variables an apply set, for `diff`. */
export const ENV_KEYS_LABEL = 'dev.agentspec.env-keys';

export interface RuntimeContainerSpec {
  name: string;
  /** tag or image id */
  image: string;
  /** the runtime's environment without HOST/PORT (added here) */
  env: Record<string, string>;
  labels: Record<string, string>;
  port: number;
  /** the address the port is reachable at on the host: bound (host networking) or published (bridge) */
  host: string;
  network: { mode: Extract<ContainerNetwork, 'host'> } | { mode: Extract<ContainerNetwork, 'bridge'>; name: string };
  stopGraceSeconds: number;
  resources?: { cpu?: string; memory?: string };
}

/** The environment the runtime gets: HOST is 0.0.0.0 inside a bridge network, with the published address beside it. */
export function runtimeEnv(spec: Pick<RuntimeContainerSpec, 'env' | 'host' | 'port' | 'network'>): Record<string, string> {
  const listen = spec.network.mode === 'bridge' ? { HOST: '0.0.0.0', [PUBLISHED_HOST_VARIABLE]: spec.host } : { HOST: spec.host };
  return { ...spec.env, ...listen, PORT: String(spec.port) };
}

export function containerCreateOptions(spec: RuntimeContainerSpec): Docker.ContainerCreateOptions {
  const portKey = `${spec.port}/tcp`;
  const bridge = spec.network.mode === 'bridge';
  const env = runtimeEnv(spec);
  return {
    name: spec.name,
    Image: spec.image,
    Env: Object.entries(env).map(([k, v]) => `${k}=${v}`),
    Labels: { ...spec.labels, [ENV_KEYS_LABEL]: Object.keys(env).sort().join(',') },
    StopSignal: 'SIGTERM',
    StopTimeout: spec.stopGraceSeconds,
    ...(bridge ? { ExposedPorts: { [portKey]: {} } } : {}),
    HostConfig: {
      NetworkMode: spec.network.mode === 'bridge' ? spec.network.name : 'host',
      ...(bridge ? { PortBindings: { [portKey]: [{ HostIp: spec.host, HostPort: String(spec.port) }] } } : {}),
      RestartPolicy: { Name: RESTART_POLICY },
      ...(spec.resources?.cpu ? { NanoCpus: Math.round(parseCpu(spec.resources.cpu) * 1e9) } : {}),
      ...(spec.resources?.memory ? { Memory: parseMemory(spec.resources.memory) } : {}),
    },
  };
}
