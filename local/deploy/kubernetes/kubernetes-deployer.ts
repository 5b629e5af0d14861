/**
 * The `kubernetes` target through @kubernetes/client-node (imported only in
 * this folder), with the user's kubeconfig. Apply first runs the pre-flight
 * checks (preflight.ts, plus the cluster reads here) and changes nothing if
 * one fails; then it server-side-applies the manifests (field manager
 * `agentspec`, force) and waits for the rollout: generation observed and
 * every replica updated and available, failing early with the reason pods
 * report (image pull errors, crash loops). A failed rollout puts the previous
 * Deployment back (its pods kept serving: `maxUnavailable: 0`, and its IR
 * ConfigMap is its own); objects the package dropped are deleted only after
 * a rollout succeeded. A generated API key is created once and printed once.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { AppsV1Api, CoreV1Api, KubeConfig, KubernetesObjectApi, PatchStrategy, type V1Deployment, type V1Pod } from '@kubernetes/client-node';
import { AgentSpecError, ErrorCode } from '../../../shared/errors.js';
import type { DeployContext, Deployer, DriftItem, LogOptions, PlanItem, TargetState, TargetStatus } from '../types.js';
import { fingerprint } from '../fingerprint.js';
import { DEFAULT_REDIS_IMAGE } from '../docker/build-context.js';
import { API_KEYS_SOURCE_ANNOTATION, apiKeysSecretName } from './api-keys.js';
import { API_KEYS_VARIABLE, GENERATED_SOURCE, generateApiKey, keysPlanOf } from '../api-keys.js';
import {
  IR_HASH_ANNOTATION,
  MANAGED_BY_LABEL,
  PACKAGE_LABEL,
  TARGET_LABEL,
  appName,
  buildManifests,
  labelsOf,
  namespaceOf,
  type Manifest,
} from './manifests.js';
import { followPodLogs } from './pod-logs.js';
import { describeFinding, secretFindings, staticFindings, type Finding, type Resources } from './preflight.js';
import { redisName } from './redis-manifests.js';

export const FIELD_MANAGER = 'agentspec';
const API_VERSIONS: Record<string, string> = {
  ConfigMap: 'v1',
  Secret: 'v1',
  Service: 'v1',
  Deployment: 'apps/v1',
  HorizontalPodAutoscaler: 'autoscaling/v2',
  NetworkPolicy: 'networking.k8s.io/v1',
};
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
  /** the image of the Redis a scaled deployment gets; the compose target's default */
  redisImage?: string;
  /** how long each pre-flight read waits for the API server; 10 s */
  inspectTimeoutMs?: number;
}

/** What the cluster holds before an apply: read by the pre-flight, used by apply. */
interface ClusterView {
  findings: Finding[];
  /** the runtime Deployment as it is, to put back if the rollout fails */
  previous?: V1Deployment;
  /** the API keys Secret already holds keys from the source the package asks for */
  keysKept: boolean;
}

/** Deploys the runtime to a Kubernetes cluster. */
export class KubernetesDeployer implements Deployer {
  private readonly config: KubeConfig;

  constructor(private readonly options: KubernetesDeployerOptions = {}) {
    this.config = new KubeConfig();
    if (options.kubeconfig) this.config.loadFromFile(options.kubeconfig);
    else this.config.loadFromDefault();
  }

  /**
   * Per resource: create / update / unchanged / delete, with what the
   * pre-flight found about it as the reason. The cluster is read when it can
   * be; `plan` still answers without one.
   */
  async plan(ctx: DeployContext): Promise<PlanItem[]> {
    const { findings } = await this.inspect(ctx, false);
    const manifests = this.manifests(ctx, '');
    const reasons = (key: string) => findings.filter((f) => f.resource === key).map((f) => `${f.level === 'note' ? '' : `${f.level}: `}${f.message}`);
    const items: PlanItem[] = manifests.map((m) => {
      const key = resourceKey(m);
      const previous = ctx.state?.fingerprints[key];
      const action = previous === undefined ? 'create' : previous === manifestFingerprint(m) && !ctx.state?.in_progress ? 'unchanged' : 'update';
      const reason = reasons(key).join('; ');
      return { resource: key, action, ...(reason ? { reason } : {}) };
    });
    for (const key of this.removed(ctx, manifests)) items.push({ resource: key, action: 'delete', reason: 'no longer in the package' });
    const placed = new Set(items.map((i) => i.resource));
    const deployment = items.find((i) => i.resource === `Deployment/${appName(ctx.ir, ctx.deploy)}`);
    const unplaced = findings.filter((f) => !placed.has(f.resource)).map(describeFinding);
    if (deployment && unplaced.length > 0) deployment.reason = [deployment.reason, ...unplaced].filter(Boolean).join('; ');
    return items;
  }

  async apply(ctx: DeployContext): Promise<TargetState> {
    const view = await this.inspect(ctx, true);
    const errors = view.findings.filter((f) => f.level === 'error');
    if (errors.length > 0) {
      throw new AgentSpecError(
        ErrorCode.ConfigError,
        `Nothing was changed; the pre-flight checks failed:\n${errors.map((f) => `  ${describeFinding(f)}`).join('\n')}`,
        {
          details: { findings: errors.map((f) => ({ ...f })) },
        },
      );
    }
    for (const finding of view.findings) if (finding.level !== 'note') ctx.progress(describeFinding(finding));
    const name = appName(ctx.ir, ctx.deploy);
    const namespace = namespaceOf(ctx.deploy);
    const keys = await this.apiKeys(ctx, view);
    const manifests = this.manifests(ctx, keys.value, await this.resolvedSecrets(ctx));
    const keysSecret = `Secret/${apiKeysSecretName(name)}`;
    const objects = KubernetesObjectApi.makeApiClient(this.config);
    for (const manifest of manifests) {
      if (view.keysKept && resourceKey(manifest) === keysSecret) continue;
      ctx.progress(`applying ${resourceKey(manifest)}`);
      try {
        await objects.patch(manifest, undefined, undefined, FIELD_MANAGER, true, PatchStrategy.ServerSideApply);
      } catch (error) {
        throw new AgentSpecError(ErrorCode.DeployError, `Applying ${resourceKey(manifest)} failed: ${describe(error)}`, { cause: error });
      }
    }
    if (keys.generated)
      ctx.progress(`API key of ${namespace}/${name}, printed this once (kept in Secret ${apiKeysSecretName(name)}, key ${API_KEYS_VARIABLE}): ${keys.value}`);
    try {
      await this.waitForRollout(ctx, name, namespace);
    } catch (error) {
      throw await this.rollBack(ctx, objects, view.previous, error);
    }
    for (const key of this.removed(ctx, manifests)) {
      const [kind = '', objectName = ''] = key.split('/');
      const apiVersion = API_VERSIONS[kind];
      if (!apiVersion) continue;
      ctx.progress(`deleting ${key}`);
      await objects.delete({ apiVersion, kind, metadata: { name: objectName, namespace } }).catch(() => undefined);
    }
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

  // placeholder until this target's drift check lands
  diff(_ctx: DeployContext): Promise<DriftItem[]> {
    return Promise.reject(new AgentSpecError(ErrorCode.DeployError, 'diff is not available for this target yet.'));
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
    const namespace = namespaceOf(ctx.deploy);
    const since = options.sinceMs !== undefined ? { sinceSeconds: Math.max(1, Math.floor(options.sinceMs / 1000)) } : {};
    if (options.follow) {
      yield* followPodLogs(this.config, {
        namespace,
        labelSelector: this.podSelector(ctx),
        container: 'runtime',
        ...since,
        ...(options.signal ? { signal: options.signal } : {}),
      });
      return;
    }
    const core = this.config.makeApiClient(CoreV1Api);
    for (const pod of await this.pods(namespace, ctx)) {
      const name = pod.metadata?.name ?? '';
      const text = await core.readNamespacedPodLog({ name, namespace, container: 'runtime', ...since });
      for (const line of String(text).split('\n')) if (line) yield `${name} ${line}`;
    }
  }

  async destroy(ctx: DeployContext): Promise<void> {
    const namespace = namespaceOf(ctx.deploy);
    const objects = KubernetesObjectApi.makeApiClient(this.config);
    const selector = this.selector(ctx);
    const kinds: [string, string][] = [
      ['autoscaling/v2', 'HorizontalPodAutoscaler'],
      ['networking.k8s.io/v1', 'NetworkPolicy'],
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

  /** The manifests with the given API keys value and secret values ('' for each when only planning). */
  private manifests(ctx: DeployContext, apiKeys: string, secrets?: Record<string, string>): Manifest[] {
    const values = secrets ?? Object.fromEntries(Object.keys(ctx.deploy.attributes.secrets).map((k) => [k, '']));
    return buildManifests({ ir: ctx.ir, deploy: ctx.deploy, image: this.image(ctx), secrets: values, apiKeys, redisImage: this.redisImage() });
  }

  private image(ctx: DeployContext): string {
    const image = ctx.deploy.attributes.image;
    if (!image) {
      throw new AgentSpecError(
        ErrorCode.ConfigError,
        `Deploy block "${ctx.deploy.name}" needs \`image\`: a runtime image the cluster can pull (build it with the docker target and push it).`,
      );
    }
    return image;
  }

  private redisImage(): string {
    return this.options.redisImage ?? DEFAULT_REDIS_IMAGE;
  }

  private async resolvedSecrets(ctx: DeployContext): Promise<Record<string, string>> {
    const secrets: Record<string, string> = {};
    for (const [variable, secret] of Object.entries(ctx.deploy.attributes.secrets)) secrets[variable] = await ctx.secret(secret);
    return secrets;
  }

  /** The keys to put in the API keys Secret: the named secret's value, a new key, or none needed ('' when kept or `auth "none"`). */
  private async apiKeys(ctx: DeployContext, view: ClusterView): Promise<{ value: string; generated: boolean }> {
    const keys = keysPlanOf(ctx.deploy);
    if (keys.mode === 'none' || view.keysKept) return { value: '', generated: false };
    if (keys.source === GENERATED_SOURCE) return { value: generateApiKey(), generated: true };
    return { value: await ctx.secret(ctx.deploy.attributes.api_keys ?? ''), generated: false };
  }

  /**
   * The pre-flight: the checks of preflight.ts, then the cluster's side — the
   * API keys Secret, the runtime Deployment as it is, and the image pull
   * secrets of the namespace's default ServiceAccount. With `strict` (apply)
   * a cluster that cannot be read is an error; `plan` notes it and goes on.
   */
  private async inspect(ctx: DeployContext, strict: boolean): Promise<ClusterView> {
    const name = appName(ctx.ir, ctx.deploy);
    const namespace = namespaceOf(ctx.deploy);
    const r: Resources = { deployment: name, redis: redisName(name), keysSecret: apiKeysSecretName(name), hpa: name };
    const findings = [...staticFindings(ctx, this.image(ctx), this.redisImage(), r), ...(await secretFindings(ctx, r))];
    const core = this.config.makeApiClient(CoreV1Api);
    const apps = this.config.makeApiClient(AppsV1Api);
    let unreachable: string | undefined;
    const read = async <T>(what: () => Promise<T>): Promise<T | undefined> => {
      if (unreachable !== undefined) return undefined;
      const timeoutMs = this.options.inspectTimeoutMs ?? 10_000;
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer in ${timeoutMs / 1000} s`)), timeoutMs);
      });
      try {
        return await Promise.race([what(), late]);
      } catch (error) {
        if ((error as { code?: unknown }).code !== 404) unreachable = describe(error);
        return undefined;
      } finally {
        clearTimeout(timer);
      }
    };
    const previous = await read(() => apps.readNamespacedDeployment({ name, namespace }));
    const keys = keysPlanOf(ctx.deploy);
    let keysKept = false;
    if (keys.mode === 'api-key') {
      const secret = await read(() => core.readNamespacedSecret({ name: r.keysSecret, namespace }));
      keysKept =
        keys.source === GENERATED_SOURCE &&
        secret?.metadata?.annotations?.[API_KEYS_SOURCE_ANNOTATION] === GENERATED_SOURCE &&
        Boolean(secret.data?.[API_KEYS_VARIABLE]);
      if (keys.source === GENERATED_SOURCE)
        findings.push({
          resource: `Secret/${r.keysSecret}`,
          level: 'note',
          message: keysKept ? 'keeps the generated API key already in the cluster' : 'generates an API key at apply and prints it once',
        });
    }
    const account = await read(() => core.readNamespacedServiceAccount({ name: 'default', namespace }));
    for (const pull of account?.imagePullSecrets ?? []) {
      if (!pull.name) continue;
      const secret = await read(() => core.readNamespacedSecret({ name: pull.name!, namespace }));
      if (!secret && unreachable === undefined)
        findings.push({
          resource: `Deployment/${name}`,
          level: 'error',
          message: `image pull secret "${pull.name}" of the default ServiceAccount in ${namespace} does not exist: the cluster cannot authenticate to the registry`,
        });
    }
    if (unreachable !== undefined)
      findings.push({ resource: `Namespace/${namespace}`, level: strict ? 'error' : 'warning', message: `the cluster could not be read: ${unreachable}` });
    return { findings, ...(previous ? { previous } : {}), keysKept };
  }

  /** After a failed rollout: the previous Deployment back (if there was one); the error to throw says what happened. */
  private async rollBack(ctx: DeployContext, objects: KubernetesObjectApi, previous: V1Deployment | undefined, error: unknown): Promise<unknown> {
    if (!previous?.spec || !(error instanceof AgentSpecError)) return error;
    const version = previous.metadata?.annotations?.[IR_HASH_ANNOTATION]?.slice(0, 12) ?? 'unknown';
    ctx.progress(`rolling ${previous.metadata?.namespace ?? ''}/${previous.metadata?.name ?? ''} back to ${version}`);
    const restore = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: {
        name: previous.metadata?.name ?? '',
        namespace: previous.metadata?.namespace ?? namespaceOf(ctx.deploy),
        labels: previous.metadata?.labels ?? {},
        annotations: { [IR_HASH_ANNOTATION]: previous.metadata?.annotations?.[IR_HASH_ANNOTATION] ?? '' },
      },
      spec: previous.spec,
    };
    try {
      await objects.patch(restore, undefined, undefined, FIELD_MANAGER, true, PatchStrategy.ServerSideApply);
    } catch (restoreError) {
      return new AgentSpecError(ErrorCode.DeployError, `${error.message} Putting the previous Deployment back failed too: ${describe(restoreError)}`, {
        cause: error,
        details: error.details,
      });
    }
    return new AgentSpecError(ErrorCode.DeployError, `${error.message} The previous version (${version}) was put back and keeps serving.`, {
      cause: error,
      details: { ...error.details, rolled_back_to: version },
    });
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

  /** The runtime's pods only (not Redis's). */
  private podSelector(ctx: DeployContext): string {
    return `${this.selector(ctx)},app.kubernetes.io/name=${appName(ctx.ir, ctx.deploy)}`;
  }

  private async pods(namespace: string, ctx: DeployContext): Promise<V1Pod[]> {
    const core = this.config.makeApiClient(CoreV1Api);
    const list = await core.listNamespacedPod({ namespace, labelSelector: this.podSelector(ctx) }).catch(() => undefined);
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
