/**
 * The `kubernetes` target through @kubernetes/client-node (the only file
 * importing it), with the user's kubeconfig. Apply server-side-applies the
 * manifests (field manager `agentspec`, force) and waits for the rollout:
 * generation observed and every replica updated and available, failing early
 * with the reason pods report (image pull errors, crash loops).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { AppsV1Api, CoreV1Api, KubeConfig, KubernetesObjectApi, PatchStrategy, type V1Deployment, type V1Pod } from '@kubernetes/client-node';
import { AgentSpecError, ErrorCode } from '../../../shared/errors.js';
import type { DeployContext, Deployer, LogOptions, PlanItem, TargetState, TargetStatus } from '../types.js';
import { fingerprint } from '../fingerprint.js';
import { MANAGED_BY_LABEL, PACKAGE_LABEL, TARGET_LABEL, appName, buildManifests, labelsOf, namespaceOf, type Manifest } from './manifests.js';

export const FIELD_MANAGER = 'agentspec';
const API_VERSIONS: Record<string, string> = { ConfigMap: 'v1', Secret: 'v1', Service: 'v1', Deployment: 'apps/v1', HorizontalPodAutoscaler: 'autoscaling/v2' };
const FAILING_REASONS = new Set([
  'ImagePullBackOff',
  'ErrImagePull',
  'InvalidImageName',
  'CrashLoopBackOff',
  'CreateContainerConfigError',
  'CreateContainerError',
]);

export interface KubernetesDeployerOptions {
  /** kubeconfig file; KUBECONFIG or ~/.kube/config otherwise */
  kubeconfig?: string;
  rolloutTimeoutMs?: number;
  pollIntervalMs?: number;
}

/** Deploys the runtime to a Kubernetes cluster. */
export class KubernetesDeployer implements Deployer {
  private readonly config: KubeConfig;

  constructor(private readonly options: KubernetesDeployerOptions = {}) {
    this.config = new KubeConfig();
    if (options.kubeconfig) this.config.loadFromFile(options.kubeconfig);
    else this.config.loadFromDefault();
  }

  async plan(ctx: DeployContext): Promise<PlanItem[]> {
    const manifests = await this.manifests(ctx, false);
    const items: PlanItem[] = manifests.map((m) => {
      const key = resourceKey(m);
      const previous = ctx.state?.fingerprints[key];
      const action = previous === undefined ? 'create' : previous === manifestFingerprint(m) && !ctx.state?.in_progress ? 'unchanged' : 'update';
      return { resource: key, action };
    });
    for (const key of this.removed(ctx, manifests)) items.push({ resource: key, action: 'delete', reason: 'no longer in the package' });
    return items;
  }

  async apply(ctx: DeployContext): Promise<TargetState> {
    const manifests = await this.manifests(ctx, true);
    const objects = KubernetesObjectApi.makeApiClient(this.config);
    for (const manifest of manifests) {
      ctx.progress(`applying ${resourceKey(manifest)}`);
      try {
        await objects.patch(manifest, undefined, undefined, FIELD_MANAGER, true, PatchStrategy.ServerSideApply);
      } catch (error) {
        throw new AgentSpecError(ErrorCode.DeployError, `Applying ${resourceKey(manifest)} failed: ${describe(error)}`, { cause: error });
      }
    }
    const name = appName(ctx.ir, ctx.deploy);
    const namespace = namespaceOf(ctx.deploy);
    for (const key of this.removed(ctx, manifests)) {
      const [kind = '', objectName = ''] = key.split('/');
      const apiVersion = API_VERSIONS[kind];
      if (!apiVersion) continue;
      ctx.progress(`deleting ${key}`);
      await objects.delete({ apiVersion, kind, metadata: { name: objectName, namespace } }).catch(() => undefined);
    }
    await this.waitForRollout(ctx, name, namespace);
    return {
      target: ctx.deploy.name,
      kind: 'kubernetes',
      ir_hash: ctx.ir.hash,
      endpoint: `http://${name}.${namespace}.svc.cluster.local`,
      ids: { namespace, deployment: name, service: name },
      fingerprints: Object.fromEntries(manifests.map((m) => [resourceKey(m), manifestFingerprint(m)])),
      applied_at: new Date().toISOString(),
    };
  }

  async status(ctx: DeployContext): Promise<TargetStatus> {
    const name = appName(ctx.ir, ctx.deploy);
    const namespace = namespaceOf(ctx.deploy);
    const apps = this.config.makeApiClient(AppsV1Api);
    const deployment = await apps.readNamespacedDeployment({ name, namespace }).catch(() => undefined);
    const pods = await this.pods(namespace, ctx);
    const wanted = deployment?.spec?.replicas ?? 0;
    const available = deployment?.status?.availableReplicas ?? 0;
    return {
      target: ctx.deploy.name,
      healthy: deployment !== undefined && available >= wanted && wanted > 0,
      ...(ctx.state?.endpoint ? { endpoint: ctx.state.endpoint } : {}),
      ...(deployment?.metadata?.annotations?.['agentspec.dev/ir-hash']
        ? { version: deployment.metadata.annotations['agentspec.dev/ir-hash'] }
        : ctx.state
          ? { version: ctx.state.ir_hash }
          : {}),
      detail: {
        namespace,
        replicas: wanted,
        available,
        pods: pods.map((p) => ({ name: p.metadata?.name, phase: p.status?.phase, restarts: p.status?.containerStatuses?.[0]?.restartCount ?? 0 })),
      },
    };
  }

  async *logs(ctx: DeployContext, options: LogOptions): AsyncIterable<string> {
    if (options.follow)
      throw new AgentSpecError(
        ErrorCode.InvalidRequest,
        'Following Kubernetes logs is not supported; use `kubectl logs -f -l app.kubernetes.io/managed-by=agentspec`.',
      );
    const namespace = namespaceOf(ctx.deploy);
    const core = this.config.makeApiClient(CoreV1Api);
    for (const pod of await this.pods(namespace, ctx)) {
      const name = pod.metadata?.name ?? '';
      const text = await core.readNamespacedPodLog({
        name,
        namespace,
        container: 'runtime',
        ...(options.sinceMs !== undefined ? { sinceSeconds: Math.max(1, Math.floor(options.sinceMs / 1000)) } : {}),
      });
      for (const line of String(text).split('\n')) if (line) yield `${name} ${line}`;
    }
  }

  async destroy(ctx: DeployContext): Promise<void> {
    const namespace = namespaceOf(ctx.deploy);
    const objects = KubernetesObjectApi.makeApiClient(this.config);
    const selector = this.selector(ctx);
    const kinds: [string, string][] = [
      ['autoscaling/v2', 'HorizontalPodAutoscaler'],
      ['v1', 'Service'],
      ['apps/v1', 'Deployment'],
      ['v1', 'Secret'],
      ['v1', 'ConfigMap'],
    ];
    for (const [apiVersion, kind] of kinds) {
      const list = await objects.list(apiVersion, kind, namespace, undefined, undefined, undefined, undefined, selector);
      for (const item of list.items) {
        ctx.progress(`deleting ${kind}/${item.metadata?.name ?? ''}`);
        await objects.delete({ apiVersion, kind, metadata: { name: item.metadata?.name ?? '', namespace } });
      }
    }
  }

  /** The manifests; with `resolve`, the Secret holds the resolved values, else only the keys. */
  private async manifests(ctx: DeployContext, resolve: boolean): Promise<Manifest[]> {
    const image = ctx.deploy.attributes.image;
    if (!image) {
      throw new AgentSpecError(
        ErrorCode.ConfigError,
        `Deploy block "${ctx.deploy.name}" needs \`image\`: a runtime image the cluster can pull (build it with the docker target and push it).`,
      );
    }
    const secrets: Record<string, string> = {};
    for (const [variable, secret] of Object.entries(ctx.deploy.attributes.secrets)) secrets[variable] = resolve ? await ctx.secret(secret) : '';
    return buildManifests({ ir: ctx.ir, deploy: ctx.deploy, image, secrets });
  }

  /** Objects the last apply made that the package no longer has (e.g. the HPA once autoscale is dropped). */
  private removed(ctx: DeployContext, manifests: Manifest[]): string[] {
    const wanted = new Set(manifests.map(resourceKey));
    return Object.keys(ctx.state?.fingerprints ?? {}).filter((key) => !wanted.has(key) && key.split('/')[0] !== 'Namespace');
  }

  private selector(ctx: DeployContext): string {
    const labels = labelsOf(ctx.ir, ctx.deploy);
    return [MANAGED_BY_LABEL, PACKAGE_LABEL, TARGET_LABEL].map((k) => `${k}=${labels[k]}`).join(',');
  }

  private async pods(namespace: string, ctx: DeployContext): Promise<V1Pod[]> {
    const core = this.config.makeApiClient(CoreV1Api);
    const list = await core.listNamespacedPod({ namespace, labelSelector: this.selector(ctx) }).catch(() => undefined);
    return list?.items ?? [];
  }

  private async waitForRollout(ctx: DeployContext, name: string, namespace: string): Promise<void> {
    const apps = this.config.makeApiClient(AppsV1Api);
    const deadline = Date.now() + (this.options.rolloutTimeoutMs ?? 300_000);
    ctx.progress(`waiting for the rollout of ${namespace}/${name}`);
    for (;;) {
      const deployment: V1Deployment = await apps.readNamespacedDeployment({ name, namespace });
      const wanted = deployment.spec?.replicas ?? 1;
      const status = deployment.status ?? {};
      const observed = (status.observedGeneration ?? 0) >= (deployment.metadata?.generation ?? 0);
      if (observed && (status.updatedReplicas ?? 0) === wanted && (status.availableReplicas ?? 0) === wanted) return;
      ctx.progress(`rollout: ${status.updatedReplicas ?? 0}/${wanted} updated, ${status.availableReplicas ?? 0}/${wanted} available`);
      const failure = failingReason(await this.pods(namespace, ctx));
      if (failure)
        throw new AgentSpecError(ErrorCode.DeployError, `The rollout of ${namespace}/${name} failed: ${failure}.`, {
          details: { namespace, deployment: name },
        });
      if (Date.now() > deadline) {
        throw new AgentSpecError(
          ErrorCode.DeployError,
          `The rollout of ${namespace}/${name} did not finish in time (${status.availableReplicas ?? 0}/${wanted} available).`,
          {
            details: { namespace, deployment: name },
          },
        );
      }
      await sleep(this.options.pollIntervalMs ?? 2000);
    }
  }
}

/** The first pod container stuck in a state that will not fix itself, as "pod: Reason (message)". */
export function failingReason(pods: V1Pod[]): string | undefined {
  for (const pod of pods) {
    for (const container of pod.status?.containerStatuses ?? []) {
      const waiting = container.state?.waiting;
      if (waiting?.reason && FAILING_REASONS.has(waiting.reason)) {
        return `pod ${pod.metadata?.name ?? '?'}: ${waiting.reason}${waiting.message ? ` (${waiting.message})` : ''}`;
      }
    }
  }
  return undefined;
}

function resourceKey(m: Manifest): string {
  return `${m.kind}/${m.metadata.name}`;
}

/** Secret fingerprints cover the keys only: values never leave the machine in a hash. */
function manifestFingerprint(m: Manifest): string {
  if (m.kind === 'Secret') return fingerprint({ ...m, stringData: Object.keys((m.stringData as Record<string, string>) ?? {}).sort() });
  return fingerprint(m);
}

function describe(error: unknown): string {
  const body = (error as { body?: unknown }).body;
  if (typeof body === 'string') return body.slice(0, 300);
  return error instanceof Error ? error.message : String(error);
}
