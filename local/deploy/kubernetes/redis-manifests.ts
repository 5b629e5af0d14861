/**
 * The shared session store of a scaled Kubernetes deployment: with more than
 * one replica (or an autoscaler that may add one, or `sessions "redis"`) the
 * runtime pods need one Redis. Unless the package brings its own `REDIS_URL`
 * (a secret or env entry), a Redis Deployment (one pod, no persistence,
 * non-root, read-only root), its Service and a NetworkPolicy admitting only
 * the runtime's pods are managed with the package, and the pods get
 * `REDIS_URL` + `AGENTSPEC_SESSIONS=redis`, as the compose target does.
 */
import type { IRDeploy } from '../../../shared/ir/types.js';

export const REDIS_PORT = 6379;
/** the `redis` user of the official images */
const REDIS_UID = 999;

/** True when the runtime pods must share sessions. */
export function needsSharedSessions(deploy: IRDeploy): boolean {
  const a = deploy.attributes;
  return (a.replicas ?? 1) > 1 || (a.autoscale?.max ?? 1) > 1 || a.sessions === 'redis';
}

/** True when the package names its own Redis (`REDIS_URL` among its secrets or env). */
export function externalRedis(deploy: IRDeploy): boolean {
  return 'REDIS_URL' in deploy.attributes.secrets || 'REDIS_URL' in deploy.attributes.env;
}

/** True when a Redis is managed with the package. */
export function managesRedis(deploy: IRDeploy): boolean {
  return needsSharedSessions(deploy) && !externalRedis(deploy);
}

/** The Redis objects' name. */
export function redisName(app: string): string {
  return `${app}-redis`.slice(0, 63);
}

/** Env entries of the runtime container for sessions. */
export function sessionEnv(deploy: IRDeploy, app: string, namespace: string): { name: string; value: string }[] {
  if (!needsSharedSessions(deploy)) return [];
  const url = externalRedis(deploy) ? [] : [{ name: 'REDIS_URL', value: `redis://${redisName(app)}.${namespace}.svc:${REDIS_PORT}` }];
  return [...url, { name: 'AGENTSPEC_SESSIONS', value: 'redis' }];
}

type Meta = { name: string; namespace: string; labels: Record<string, string> };

/** Redis Deployment, Service and NetworkPolicy; `labels` are the package's (for destroy), `appSelector` selects the runtime pods. */
export function redisManifests(input: {
  app: string;
  namespace: string;
  labels: Record<string, string>;
  image: string;
  appSelector: Record<string, string>;
}): (Record<string, unknown> & { apiVersion: string; kind: string; metadata: Meta })[] {
  const name = redisName(input.app);
  const selector = { ...input.appSelector, 'app.kubernetes.io/name': name };
  const labels = { ...input.labels, 'app.kubernetes.io/name': name, 'app.kubernetes.io/component': 'sessions' };
  const metadata: Meta = { name, namespace: input.namespace, labels };
  return [
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata,
      spec: {
        replicas: 1,
        selector: { matchLabels: selector },
        // one Redis at a time: two would split the sessions
        strategy: { type: 'Recreate' },
        template: {
          metadata: { labels },
          spec: {
            securityContext: { runAsNonRoot: true, runAsUser: REDIS_UID, runAsGroup: REDIS_UID, fsGroup: REDIS_UID },
            containers: [
              {
                name: 'redis',
                image: input.image,
                imagePullPolicy: 'IfNotPresent',
                // sessions are short-lived: no snapshots, no append-only file
                args: ['--save', '', '--appendonly', 'no'],
                ports: [{ name: 'redis', containerPort: REDIS_PORT }],
                resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '256Mi' } },
                readinessProbe: { tcpSocket: { port: 'redis' }, periodSeconds: 5 },
                livenessProbe: { tcpSocket: { port: 'redis' }, initialDelaySeconds: 5, periodSeconds: 10 },
                securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
                volumeMounts: [{ name: 'data', mountPath: '/data' }],
              },
            ],
            volumes: [{ name: 'data', emptyDir: {} }],
          },
        },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata,
      spec: { selector, ports: [{ name: 'redis', port: REDIS_PORT, targetPort: 'redis' }] },
    },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata,
      spec: {
        podSelector: { matchLabels: selector },
        policyTypes: ['Ingress'],
        ingress: [{ from: [{ podSelector: { matchLabels: input.appSelector } }], ports: [{ protocol: 'TCP', port: REDIS_PORT }] }],
      },
    },
  ];
}
