/**
 * Drift between the objects the last apply made (rebuilt from the applied
 * IR, the recorded image reference) and the objects the cluster holds: an
 * object deleted, a Deployment's image, replicas (unless an HPA owns them),
 * env names, resources or ports edited, a Service's ports, an HPA's bounds,
 * a Secret's keys. Secrets are compared by key names only. Pure.
 */
import type { DriftItem } from '../types.js';
import { IR_HASH_ANNOTATION, type Manifest } from './manifests.js';

/** What the cluster holds for one manifest: the object, or undefined when it is gone. */
export type LiveObject = Record<string, unknown> | undefined;

interface Container {
  image?: string;
  env?: { name: string }[];
  resources?: unknown;
  ports?: { containerPort?: number }[];
}

/** One item per difference, in manifest order. */
export function driftOf(expected: Manifest[], live: (m: Manifest) => LiveObject): DriftItem[] {
  const out: DriftItem[] = [];
  const hpaOwns = new Set(
    expected.filter((m) => m.kind === 'HorizontalPodAutoscaler').map((m) => (m.spec as { scaleTargetRef: { name: string } }).scaleTargetRef.name),
  );
  for (const m of expected) {
    if (m.kind === 'Namespace') continue;
    const key = `${m.kind}/${m.metadata.name}`;
    const actual = live(m);
    if (!actual) {
      out.push({ resource: key, expected: 'present', actual: 'missing' });
      continue;
    }
    const add = (field: string, want: unknown, have: unknown) => {
      const [w, h] = [show(want), show(have)];
      if (w !== h) out.push({ resource: `${key} ${field}`, expected: w, actual: h });
    };
    if (m.kind === 'Deployment') {
      const want = podOf(m);
      const have = podOf(actual);
      add('image', want?.image, have?.image);
      if (!hpaOwns.has(m.metadata.name)) add('replicas', specOf(m).replicas, specOf(actual).replicas);
      add('env', names(want?.env), names(have?.env));
      add('resources', want?.resources ?? {}, have?.resources ?? {});
      add(
        'ports',
        (want?.ports ?? []).map((p) => p.containerPort),
        (have?.ports ?? []).map((p) => p.containerPort),
      );
      const version = m.metadata.annotations?.[IR_HASH_ANNOTATION];
      if (version) add('version', version, (actual.metadata as { annotations?: Record<string, string> } | undefined)?.annotations?.[IR_HASH_ANNOTATION]);
    } else if (m.kind === 'Service') {
      add('ports', portsOf(m), portsOf(actual));
    } else if (m.kind === 'HorizontalPodAutoscaler') {
      add('bounds', bounds(m), bounds(actual));
    } else if (m.kind === 'Secret') {
      const want = Object.keys((m.stringData as Record<string, string> | undefined) ?? {});
      const have = Object.keys({ ...((actual.data as object | undefined) ?? {}), ...((actual.stringData as object | undefined) ?? {}) });
      add('keys', want.sort(), have.sort());
    }
  }
  return out;
}

function specOf(o: Record<string, unknown>): { replicas?: number } & Record<string, unknown> {
  return (o.spec as Record<string, unknown> | undefined) ?? {};
}

function podOf(o: Record<string, unknown>): Container | undefined {
  const spec = specOf(o) as { template?: { spec?: { containers?: Container[] } } };
  return spec.template?.spec?.containers?.[0];
}

function names(env: { name: string }[] | undefined): string[] {
  return (env ?? []).map((e) => e.name).sort();
}

function portsOf(o: Record<string, unknown>): string[] {
  return ((specOf(o).ports as { port?: number; targetPort?: unknown }[] | undefined) ?? []).map((p) => `${p.port ?? ''}->${String(p.targetPort ?? '')}`);
}

function bounds(o: Record<string, unknown>): string {
  const spec = specOf(o) as { minReplicas?: number; maxReplicas?: number };
  return `${spec.minReplicas ?? 1}..${spec.maxReplicas ?? '?'}`;
}

function show(value: unknown): string {
  if (value === undefined) return 'none';
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.join(', ') || 'none';
  return JSON.stringify(sorted(value));
}

/** The value with object keys in order: the API server and the client serialise fields in their own order. */
function sorted(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sorted);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => [k, sorted(v)]),
  );
}
