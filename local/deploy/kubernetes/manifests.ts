/**
 * The Kubernetes objects of one package, as plain JSON built by pure
 * functions: Namespace, ConfigMap (the IR, named by its hash and immutable,
 * so the pods of the previous version keep theirs until a rollout succeeds),
 * Secret (resolved secrets), the API keys Secret (unless `auth "none"`), the
 * registry pull Secret (when the image is pulled with credentials), the
 * Redis of a scaled deployment, Deployment, Service and, with `autoscale`, an
 * autoscaling/v2 HPA. Every object carries `app.kubernetes.io/managed-by:
 * agentspec` and the package label, which `destroy` selects on.
 */
import type { IRDeploy, IRDocument } from '../../../shared/ir/types.js';
import { DEFAULT_REDIS_IMAGE } from '../docker/build-context.js';
import { API_KEYS_SOURCE_ANNOTATION, apiKeysSecretName } from './api-keys.js';
import { API_KEYS_VARIABLE, INSECURE_VARIABLE, keysPlanOf } from '../api-keys.js';
import { autoscaleMetric, podResources } from './pod-resources.js';
import { managesRedis, redisManifests, sessionEnv } from './redis-manifests.js';
import { DEFAULTS } from '../../../shared/lang/lower.js';

export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const PACKAGE_LABEL = 'agentspec.dev/package';
export const TARGET_LABEL = 'agentspec.dev/target';
export const IR_HASH_ANNOTATION = 'agentspec.dev/ir-hash';
/** the port a deploy block without `port` serves on: the language's default */
const DEFAULT_PORT = DEFAULTS.port;

export type Manifest = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels: Record<string, string>; annotations?: Record<string, string> };
} & Record<string, unknown>;

export interface ManifestInput {
  ir: IRDocument;
  deploy: IRDeploy;
  /** the runtime image (must be pullable by the cluster) */
  image: string;
  /** env var name → resolved value; goes into the Secret only */
  secrets: Record<string, string>;
  /** the value of the API keys Secret (comma-separated keys); '' (the default) when only planning. Unused with `auth "none"`. */
  apiKeys?: string;
  /** the image of the managed Redis; the compose target's default */
  redisImage?: string;
  /** the `.dockerconfigjson` of the registry credentials ('' when only planning); absent when the registry is pulled from anonymously */
  pullSecret?: string;
}

/** `<package>-<target>`, lower-cased to a DNS label. */
export function appName(ir: IRDocument, deploy: IRDeploy): string {
  return `${ir.package.name}-${deploy.name}`
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63);
}

/** The namespace objects go to (`namespace` attribute, else `default`). */
export function namespaceOf(deploy: IRDeploy): string {
  return deploy.attributes.namespace ?? 'default';
}

/** Labels every object carries; the selector labels are a subset. */
export function labelsOf(ir: IRDocument, deploy: IRDeploy): Record<string, string> {
  return {
    'app.kubernetes.io/name': appName(ir, deploy),
    [MANAGED_BY_LABEL]: 'agentspec',
    [PACKAGE_LABEL]: ir.package.name.toLowerCase().replace(/[^a-z0-9-_.]/g, '-'),
    [TARGET_LABEL]: deploy.name.toLowerCase().replace(/[^a-z0-9-_.]/g, '-'),
  };
}

/** `<app>-registry`: the `kubernetes.io/dockerconfigjson` Secret the pods pull the image with. */
export function pullSecretName(app: string): string {
  return `${app}-registry`;
}

/** `<app>-ir-<first 12 of the IR hash>`: one immutable ConfigMap per version. */

export function irConfigMapName(ir: IRDocument, deploy: IRDeploy): string {
  return `${appName(ir, deploy).slice(0, 63 - 16)}-ir-${ir.hash.slice(0, 12)}`;
}

/** Every manifest, in apply order. */
export function buildManifests(input: ManifestInput): Manifest[] {
  const { ir, deploy } = input;
  const name = appName(ir, deploy);
  const namespace = namespaceOf(deploy);
  const labels = labelsOf(ir, deploy);
  const attrs = deploy.attributes;
  const port = attrs.port ?? DEFAULT_PORT;
  const healthPath = attrs.health?.path ?? '/healthz';
  const replicas = attrs.replicas ?? 1;
  const meta = (n: string) => ({ name: n, namespace, labels });
  const probe = (initialDelaySeconds: number) => ({
    httpGet: { path: healthPath, port: 'http' },
    initialDelaySeconds,
    periodSeconds: Math.max(1, Math.round((attrs.health?.interval_ms ?? 10_000) / 1000)),
    timeoutSeconds: Math.max(1, Math.round((attrs.health?.timeout_ms ?? 3000) / 1000)),
  });
  const keys = keysPlanOf(deploy);
  const keysSecret = apiKeysSecretName(name);
  const irConfigMap = irConfigMapName(ir, deploy);
  const selector = { 'app.kubernetes.io/name': name, [MANAGED_BY_LABEL]: 'agentspec' };
  const env = [
    ...Object.entries(attrs.env).map(([k, v]) => ({ name: k, value: v })),
    { name: 'AGENTSPEC_IR', value: '/etc/agentspec/ir.json' },
    { name: 'HOST', value: '0.0.0.0' },
    { name: 'PORT', value: String(port) },
    ...Object.keys(input.secrets).map((k) => ({ name: k, valueFrom: { secretKeyRef: { name: `${name}-secrets`, key: k } } })),
    keys.mode === 'none'
      ? // the runtime's explicit opt-out of its refusal to serve beyond loopback without keys
        { name: INSECURE_VARIABLE, value: '1' }
      : { name: API_KEYS_VARIABLE, valueFrom: { secretKeyRef: { name: keysSecret, key: API_KEYS_VARIABLE } } },
    ...sessionEnv(deploy, name, namespace),
  ];
  const resources = podResources(deploy);

  const manifests: Manifest[] = [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace, labels: { [MANAGED_BY_LABEL]: 'agentspec' } } },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta(irConfigMap), immutable: true, data: { 'ir.json': JSON.stringify(ir) } },
    { apiVersion: 'v1', kind: 'Secret', metadata: meta(`${name}-secrets`), type: 'Opaque', stringData: { ...input.secrets } },
    ...(keys.mode === 'none'
      ? []
      : [
          {
            apiVersion: 'v1',
            kind: 'Secret',
            metadata: { ...meta(keysSecret), annotations: { [API_KEYS_SOURCE_ANNOTATION]: keys.source } },
            type: 'Opaque',
            stringData: { [API_KEYS_VARIABLE]: input.apiKeys ?? '' },
          },
        ]),
    ...(input.pullSecret === undefined
      ? []
      : [
          {
            apiVersion: 'v1',
            kind: 'Secret',
            metadata: meta(pullSecretName(name)),
            type: 'kubernetes.io/dockerconfigjson',
            stringData: { '.dockerconfigjson': input.pullSecret },
          },
        ]),
    ...(managesRedis(deploy) ? redisManifests({ app: name, namespace, labels, image: input.redisImage ?? DEFAULT_REDIS_IMAGE, appSelector: selector }) : []),
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { ...meta(name), annotations: { [IR_HASH_ANNOTATION]: ir.hash } },
      spec: {
        replicas,
        selector: { matchLabels: selector },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
        template: {
          metadata: { labels, annotations: { [IR_HASH_ANNOTATION]: ir.hash } },
          spec: {
            // the runtime drains in-flight requests on SIGTERM; give it the time to
            terminationGracePeriodSeconds: 30,
            securityContext: { runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001, fsGroup: 10001 },
            ...(input.pullSecret === undefined ? {} : { imagePullSecrets: [{ name: pullSecretName(name) }] }),
            containers: [
              {
                name: 'runtime',
                image: input.image,
                imagePullPolicy: 'IfNotPresent',
                ports: [{ name: 'http', containerPort: port }],
                env,
                ...(resources ? { resources } : {}),
                livenessProbe: probe(10),
                readinessProbe: probe(2),
                securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
                volumeMounts: [
                  { name: 'ir', mountPath: '/etc/agentspec', readOnly: true },
                  { name: 'tmp', mountPath: '/tmp' },
                ],
              },
            ],
            volumes: [
              { name: 'ir', configMap: { name: irConfigMap } },
              { name: 'tmp', emptyDir: {} },
            ],
          },
        },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta(name),
      spec: { selector, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
    },
  ];
  if (attrs.autoscale) {
    const metric = autoscaleMetric(deploy);
    manifests.push({
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: meta(name),
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name },
        minReplicas: attrs.autoscale.min,
        maxReplicas: attrs.autoscale.max,
        metrics: [{ type: 'Resource', resource: { name: metric, target: { type: 'Utilization', averageUtilization: attrs.autoscale.target } } }],
      },
    });
  }
  return manifests;
}

/** The manifests with Secret values replaced by a placeholder, for printing (`--dry-run`) and plans. */
export function redactManifests(manifests: Manifest[]): Manifest[] {
  return manifests.map((m) =>
    m.kind === 'Secret'
      ? {
          ...m,
          stringData: Object.fromEntries(
            Object.keys((m.stringData as Record<string, string>) ?? {}).map((k) => [
              k,
              k === API_KEYS_VARIABLE ? '<kept in the cluster, or generated at apply>' : '<from your environment at apply>',
            ]),
          ),
        }
      : m,
  );
}
