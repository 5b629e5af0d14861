/**
 * Drift of a runtime container: what the engine reports for the recorded
 * container against what the last apply set up — gone, replaced by another
 * container of ours, stopped, another image, and what `docker update` or
 * `docker network connect` can change by hand (restart policy, limits,
 * networks), plus the environment's variable names (never values) and the
 * published port. Pure: the deployer passes the inspect results.
 */
import type Docker from 'dockerode';
import type { DriftItem } from '../types.js';
import { parseCpu, parseMemory } from '../quantity.js';
import { ENV_KEYS_LABEL, type RuntimeContainerSpec } from './container-config.js';

export interface ExpectedContainer {
  /** the recorded container id */
  id: string;
  /** the recorded image id */
  image: string;
  /** variable names the deploy block asks for: each must be set */
  envKeys: string[];
  restartPolicy: string;
  port: number;
  host: string;
  network: RuntimeContainerSpec['network'];
  resources?: { cpu?: string; memory?: string };
}

export interface ObservedContainer {
  /** inspect of the recorded id; undefined when it is gone */
  info: Docker.ContainerInspectInfo | undefined;
  /** ids of other containers carrying this target's labels (a replacement made by hand) */
  others: string[];
  /** the variable names the image itself sets */
  imageEnvKeys: string[];
}

const short = (id: string) => id.replace(/^sha256:/, '').slice(0, 12);
const keysOf = (env: string[]) => env.map((e) => (e.includes('=') ? e.slice(0, e.indexOf('=')) : e));

export function containerDrift(expected: ExpectedContainer, observed: ObservedContainer): DriftItem[] {
  const { info } = observed;
  const resource = `container ${short(expected.id)}`;
  const other = observed.others.find((id) => id !== expected.id);
  if (!info) return [{ resource, expected: 'present', actual: other ? `missing (replaced by ${short(other)})` : 'missing' }];
  const items: DriftItem[] = [];
  if (other) items.push({ resource: 'container', expected: short(expected.id), actual: `also ${short(other)} with this target's labels` });
  if (!info.State.Running) items.push({ resource, expected: 'running', actual: `${info.State.Status} (exit code ${info.State.ExitCode})` });
  else if (info.State.Health?.Status === 'unhealthy') items.push({ resource, expected: 'healthy', actual: 'unhealthy' });
  if (info.Image !== expected.image) items.push({ resource: 'image', expected: short(expected.image), actual: short(info.Image) });
  const policy = info.HostConfig.RestartPolicy?.Name ?? '';
  if (policy !== expected.restartPolicy) items.push({ resource: 'restart policy', expected: expected.restartPolicy, actual: policy || 'none' });
  const applied = (info.Config.Labels?.[ENV_KEYS_LABEL] ?? '').split(',').filter(Boolean);
  items.push(...envDrift(expected.envKeys, applied, keysOf(info.Config.Env ?? []), observed.imageEnvKeys));
  items.push(...networkDrift(expected, info));
  items.push(...resourceDrift(expected, info));
  return items;
}

/** Names the block asks for that are not set, and names set that neither the apply (its label) nor the image set. */
function envDrift(expectedKeys: string[], appliedKeys: string[], actualKeys: string[], imageKeys: string[]): DriftItem[] {
  const actual = new Set(actualKeys);
  const wanted = new Set([...expectedKeys, ...appliedKeys]);
  const missing = expectedKeys.filter((k) => !actual.has(k)).sort();
  const extra = actualKeys.filter((k) => !wanted.has(k) && !imageKeys.includes(k)).sort();
  if (!missing.length && !extra.length) return [];
  return [
    {
      resource: 'environment (names only)',
      expected: [...wanted].sort().join(', '),
      actual: [missing.length ? `missing ${missing.join(', ')}` : '', extra.length ? `unexpected ${extra.join(', ')}` : ''].filter(Boolean).join('; '),
    },
  ];
}

function networkDrift(expected: ExpectedContainer, info: Docker.ContainerInspectInfo): DriftItem[] {
  const items: DriftItem[] = [];
  const mode = expected.network.mode === 'bridge' ? expected.network.name : 'host';
  if (info.HostConfig.NetworkMode !== mode) items.push({ resource: 'network', expected: mode, actual: info.HostConfig.NetworkMode ?? 'none' });
  const joined = Object.keys(info.NetworkSettings?.Networks ?? {}).sort();
  const extra = joined.filter((n) => n !== mode);
  if (extra.length) items.push({ resource: 'networks', expected: mode, actual: joined.join(', ') });
  if (expected.network.mode === 'bridge') {
    const bindings = (info.HostConfig.PortBindings as Record<string, { HostIp?: string; HostPort?: string }[]> | undefined)?.[`${expected.port}/tcp`] ?? [];
    const want = `${expected.host}:${expected.port}`;
    const got = bindings.map((b) => `${b.HostIp || '0.0.0.0'}:${b.HostPort ?? ''}`).join(', ') || 'not published';
    if (got !== want) items.push({ resource: `port ${expected.port}`, expected: want, actual: got });
  }
  return items;
}

function resourceDrift(expected: ExpectedContainer, info: Docker.ContainerInspectInfo): DriftItem[] {
  const items: DriftItem[] = [];
  const cpu = expected.resources?.cpu ? Math.round(parseCpu(expected.resources.cpu) * 1e9) : 0;
  const memory = expected.resources?.memory ? parseMemory(expected.resources.memory) : 0;
  const host = info.HostConfig as { NanoCpus?: number; Memory?: number };
  if ((host.NanoCpus ?? 0) !== cpu) items.push({ resource: 'cpu limit (nano cpus)', expected: String(cpu), actual: String(host.NanoCpus ?? 0) });
  if ((host.Memory ?? 0) !== memory) items.push({ resource: 'memory limit (bytes)', expected: String(memory), actual: String(host.Memory ?? 0) });
  return items;
}
