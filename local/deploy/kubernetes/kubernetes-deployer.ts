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
 *
 * The image: an `image` pinned by digest runs as written; otherwise apply
 * builds the runtime image, pushes it to the repository `image` names and
 * pins the Deployment to the pushed digest (image-publish.ts), after the
 * pre-flight checked the engine and the registry's answer to the
 * credentials. A rollback (`ctx.restore`) runs the recorded digest and
 * builds nothing.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type Docker from 'dockerode';
import { AppsV1Api, CoreV1Api, KubeConfig, KubernetesObjectApi, PatchStrategy, type V1Deployment, type V1Pod } from '@kubernetes/client-node';
import { AgentSpecError, ErrorCode } from '../../../shared/errors.js';
import type { DeployContext, Deployer, DriftItem, LogOptions, PlanItem, TargetState, TargetStatus } from '../types.js';
import { fingerprint } from '../fingerprint.js';
import { DEFAULT_REDIS_IMAGE } from '../docker/build-context.js';
import { API_KEYS_SOURCE_ANNOTATION, apiKeysSecretName } from './api-keys.js';
import { API_KEYS_VARIABLE, GENERATED_SOURCE, generateApiKey, keysPlanOf } from '../api-keys.js';
import { runtimeSecretVariables, runtimeSecrets } from '../runtime-secrets.js';
import {
  IR_HASH_ANNOTATION,
  MANAGED_BY_LABEL,
  PACKAGE_LABEL,
  TARGET_LABEL,
  appName,
  buildManifests,
  pullSecretName,
  labelsOf,
  namespaceOf,
  type Manifest,
} from './manifests.js';
import { followPodLogs } from './pod-logs.js';
import { describeFinding, secretFindings, staticFindings, type Finding, type Resources } from './preflight.js';
import { redisName } from './redis-manifests.js';
import { driftOf } from './drift.js';
import { removeImage } from '../docker/retention.js';
import { parseImageRef, type ImageRef } from './image-ref.js';
import { RegistryClient } from './registry-client.js';
import { registryCredentials, type RegistryCredentials } from './registry-credentials.js';
import { packageAsset, type PackageAsset } from '../../package/package-assets.js';

export const FIELD_MANAGER = 'agentspec';
/** The plan item and finding about the cluster as a whole (unreachable). */
const CLUSTER = 'cluster';
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
  /** the Docker engine that builds and pushes the image; the default socket otherwise */
  docker?: Docker.DockerOptions;
  /** the folder of the Docker config (`config.json`) with registry credentials; DOCKER_CONFIG or ~/.docker otherwise */
  dockerConfigDir?: string;
  /** path of the bundled runtime; bundled on demand otherwise */
  bundle?: () => Promise<string>;
}

/** Where the Deployment's image comes from: as written (pinned by digest), a recorded version (rollback), or built and pushed. */
type ImageSource = { mode: 'pinned' | 'restore'; image: string; ref: ImageRef } | { mode: 'build'; image: string; ref: ImageRef };

/** What the cluster holds before an apply: read by the pre-flight, used by apply. */
interface ClusterView {
  findings: Finding[];
  /** the runtime Deployment as it is, to put back if the rollout fails */
  previous?: V1Deployment;
  /** the API keys Secret already holds keys from the source the package asks for */
  keysKept: boolean;
  /** the API server and why it could not be read, when it could not */
  unreachable?: string;
  /** the registry credentials (undefined: anonymous) */
  credentials?: RegistryCredentials;
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
   * be; when it cannot, the first item (resource `cluster`) says so and the
   * others compare with the state file only (none without one: "create"
   * would be a guess).
   */
  async plan(ctx: DeployContext): Promise<PlanItem[]> {
    const view = await this.inspect(ctx, false);
    const { findings } = view;
    const manifests = this.manifests(ctx, { apiKeys: '', image: this.imageIdentity(ctx), ...(view.credentials ? { pullSecret: '' } : {}) });
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
    const unplaced = findings.filter((f) => !placed.has(f.resource) && f.resource !== CLUSTER).map(describeFinding);
    if (deployment && unplaced.length > 0) deployment.reason = [deployment.reason, ...unplaced].filter(Boolean).join('; ');
    if (view.unreachable === undefined) return items;
    // apply would fail its pre-flight: never "unchanged", so apply goes on to say so
    const cluster: PlanItem = { resource: CLUSTER, action: 'update', reason: `could not compare with the cluster: ${view.unreachable}` };
    if (!ctx.state) return [cluster];
    return [cluster, ...items.map((i) => ({ ...i, reason: [i.reason, 'compared with the state file only'].filter(Boolean).join('; ') }))];
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
    const secrets = await runtimeSecrets(ctx);
    const image = await this.publish(ctx, view.credentials);
    const keys = await this.apiKeys(ctx, view);
    const source = this.imageSource(ctx);
    const pullSecret = view.credentials ? { pullSecret: dockerConfigJson(source.ref.registry, view.credentials) } : {};
    const manifests = this.manifests(ctx, { apiKeys: keys.value, secrets, image: image.ref, ...pullSecret });
    const recorded = this.manifests(ctx, { apiKeys: '', image: this.imageIdentity(ctx), ...pullSecret });
    const keysSecret = `Secret/${apiKeysSecretName(name)}`;
    const objects = KubernetesObjectApi.makeApiClient(this.config);
    for (const manifest of manifests) {
      if (view.keysKept && resourceKey(manifest) === keysSecret) continue;
      ctx.progress(`applying ${resourceKey(manifest)}`);
      try {
        await objects.patch(manifest, undefined, undefined, FIELD_MANAGER, true, PatchStrategy.ServerSideApply);
      } catch (error) {
        throw await this.rollBack(
          ctx,
          objects,
          view.previous,
          new AgentSpecError(ErrorCode.DeployError, `Applying ${resourceKey(manifest)} failed: ${describe(error)}`, { cause: error }),
        );
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
    if (image.tag) await this.dropLocalImages(ctx, image.tag);
    return {
      target: ctx.deploy.name,
      kind: 'kubernetes',
      ir_hash: ctx.ir.hash,
      endpoint: `http://${name}.${namespace}.svc.cluster.local`,
      ids: { namespace, deployment: name, service: name, image_ref: image.ref, ...(image.tag ? { tag: image.tag } : {}) },
      fingerprints: Object.fromEntries(recorded.map((m) => [resourceKey(m), manifestFingerprint(m)])),
      applied_at: new Date().toISOString(),
    };
  }

  /** The live Deployment, Service, HPA, Secrets (key names only) and Redis against what the state and the applied IR say. */
  async diff(ctx: DeployContext): Promise<DriftItem[]> {
    if (!ctx.state) return [];
    const namespace = namespaceOf(ctx.deploy);
    const objects = KubernetesObjectApi.makeApiClient(this.config);
    const image = String(ctx.state.ids.image_ref ?? this.imageSource(ctx).image);
    const hasPullSecret = Object.keys(ctx.state.fingerprints).includes(`Secret/${pullSecretName(appName(ctx.ir, ctx.deploy))}`);
    const expected = this.manifests(ctx, { apiKeys: '', image, ...(hasPullSecret ? { pullSecret: '' } : {}) });
    const live = new Map<string, Record<string, unknown> | undefined>();
    for (const m of expected) {
      if (m.kind === 'Namespace') continue;
      try {
        const read = await objects.read({ apiVersion: m.apiVersion, kind: m.kind, metadata: { name: m.metadata.name, namespace } });
        live.set(resourceKey(m), read as unknown as Record<string, unknown>);
      } catch (error) {
        if ((error as { code?: unknown }).code !== 404)
          throw new AgentSpecError(ErrorCode.DeployError, `Could not compare with the cluster at ${this.server()}: ${describe(error)}`, {
            cause: error,
          });
        live.set(resourceKey(m), undefined);
      }
    }
    return driftOf(expected, (m) => live.get(resourceKey(m)));
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

  /** The manifests with the given image, API keys value, pull secret and secret values ('' for each when only planning). */
  private manifests(ctx: DeployContext, input: { image: string; apiKeys: string; secrets?: Record<string, string>; pullSecret?: string }): Manifest[] {
    const secrets = input.secrets ?? Object.fromEntries(runtimeSecretVariables(ctx.ir, ctx.deploy).map((k) => [k, '']));
    return buildManifests({
      ir: ctx.ir,
      deploy: ctx.deploy,
      image: input.image,
      secrets,
      apiKeys: input.apiKeys,
      redisImage: this.redisImage(),
      ...(input.pullSecret === undefined ? {} : { pullSecret: input.pullSecret }),
    });
  }

  private imageSource(ctx: DeployContext): ImageSource {
    const restored = ctx.restore?.ids.image_ref;
    if (restored !== undefined) return { mode: 'restore', image: String(restored), ref: parseImageRef(String(restored)) };
    const image = ctx.deploy.attributes.image;
    if (!image) {
      throw new AgentSpecError(
        ErrorCode.ConfigError,
        `Deploy block "${ctx.deploy.name}" needs \`image\`: the registry repository apply pushes the runtime image to (e.g. registry.example.com/team/agent), or an image pinned by digest.`,
      );
    }
    const ref = parseImageRef(image);
    return { mode: ref.digest ? 'pinned' : 'build', image, ref };
  }

  /**
   * What the recorded fingerprints see of the image: the pinned reference, or
   * for a built one its inputs (the digest is known only after the push), so
   * plan can tell unchanged from update without building.
   */
  private imageIdentity(ctx: DeployContext): string {
    const image = ctx.deploy.attributes.image ?? this.imageSource(ctx).image;
    if (parseImageRef(image).digest) return image;
    const attrs = ctx.deploy.attributes;
    // a rollback builds nothing, so package files changed or gone since that version must not stop it
    const asset = ctx.restore ? this.tryAssetOf(ctx) : this.assetOf(ctx);
    return `${image}@build:${fingerprint({
      base: attrs.base_image ?? null,
      ir: ctx.ir.hash,
      port: attrs.port ?? null,
      health: attrs.health?.path ?? null,
      ...(asset?.files.length ? { package_asset: asset.digest } : {}),
    })}`;
  }

  /** The package asset of this operation's package, built once (plan and apply both need it). */
  private assetOf(ctx: DeployContext): PackageAsset {
    const key = `${ctx.ir.hash}\0${ctx.workdir}`;
    if (this.asset?.key !== key) this.asset = { key, asset: packageAsset(ctx.ir, ctx.workdir) };
    return this.asset.asset;
  }

  private tryAssetOf(ctx: DeployContext): PackageAsset | undefined {
    try {
      return this.assetOf(ctx);
    } catch {
      return undefined;
    }
  }

  private asset: { key: string; asset: PackageAsset } | undefined;

  /** The image reference the Deployment runs: as pinned, the recorded one (checked to be in the registry), or built and pushed. */
  private async publish(ctx: DeployContext, credentials: RegistryCredentials | undefined): Promise<{ ref: string; tag?: string }> {
    const source = this.imageSource(ctx);
    if (source.mode === 'pinned') return { ref: source.image };
    const registry = new RegistryClient(source.ref.registry, credentials);
    if (source.mode === 'restore') {
      const digest = source.ref.digest ?? '';
      if (!(await registry.manifestDigest(source.ref.repository, digest)))
        throw new AgentSpecError(
          ErrorCode.DeployError,
          `The image ${source.image} of the version to go back to is no longer in the registry ${source.ref.registry}: push it again (or apply the package of that version) to recreate it.`,
          { details: { image_ref: source.image } },
        );
      ctx.progress(`rolling back to ${source.image}: nothing to build or push`);
      const tag = ctx.restore?.ids.tag;
      return { ref: source.image, ...(tag !== undefined ? { tag: String(tag) } : {}) };
    }
    const { publishImage } = await import('./image-publish.js');
    const published = await publishImage({
      ctx,
      docker: await this.docker(),
      ref: source.ref,
      registry,
      credentials,
      bundlePath: this.options.bundle ?? (async () => (await import('../bundle-runtime.js')).bundleRuntime()),
      packageAsset: this.assetOf(ctx),
    });
    return { ref: published.ref, tag: published.tag };
  }

  /** After a successful apply: the local build tags of versions leaving the history, unless a kept version or this one uses them. */
  private async dropLocalImages(ctx: DeployContext, current: string): Promise<void> {
    const kept = new Set([current, ...(ctx.versions?.keep ?? []).map((v) => String(v.ids.tag ?? ''))]);
    const dropped = (ctx.versions?.drop ?? []).map((v) => String(v.ids.tag ?? '')).filter((t) => t && !kept.has(t));
    if (dropped.length === 0) return;
    const docker = await this.docker();
    for (const tag of new Set(dropped)) {
      ctx.progress(`removing the local image ${tag} (left the history)`);
      const info = await docker
        .getImage(tag)
        .inspect()
        .catch(() => undefined);
      if (info) await removeImage(docker, { id: info.Id, tag });
    }
  }

  private dockerClient: Docker | undefined;

  private async docker(): Promise<Docker> {
    if (!this.dockerClient) {
      const { default: DockerClient } = await import('dockerode');
      this.dockerClient = new DockerClient(this.options.docker);
    }
    return this.dockerClient;
  }

  /** The API server of the kubeconfig's current context, for messages. */
  private server(): string {
    return this.config.getCurrentCluster()?.server ?? 'the API server';
  }

  private redisImage(): string {
    return this.options.redisImage ?? DEFAULT_REDIS_IMAGE;
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
    const findings = [...staticFindings(ctx, this.imageSource(ctx).image, this.redisImage(), r), ...(await secretFindings(ctx, r))];
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
    if (unreachable !== undefined) {
      unreachable = `the API server ${this.server()} did not answer: ${unreachable}`;
      if (strict) findings.push({ resource: CLUSTER, level: 'error', message: unreachable });
    }
    const image = await this.imageFindings(ctx, `Deployment/${name}`);
    findings.push(...image.findings);
    return {
      findings,
      ...(previous ? { previous } : {}),
      keysKept,
      ...(unreachable !== undefined ? { unreachable } : {}),
      ...(image.credentials ? { credentials: image.credentials } : {}),
    };
  }

  /**
   * The image's side of the pre-flight: the registry credentials (none:
   * anonymous), and unless the image is pinned, the engine that builds it
   * and the registry's answer to the credentials.
   */
  private async imageFindings(ctx: DeployContext, resource: string): Promise<{ findings: Finding[]; credentials?: RegistryCredentials }> {
    const source = this.imageSource(ctx);
    const findings: Finding[] = [];
    let credentials: RegistryCredentials | undefined;
    try {
      credentials = await registryCredentials(ctx, source.ref.registry, this.options.dockerConfigDir);
    } catch (error) {
      return { findings: [{ resource, level: 'error', message: describe(error) }] };
    }
    if (credentials)
      findings.push({
        resource,
        level: 'note',
        message: `pulls with the credentials from ${credentials.source} (Secret ${pullSecretName(resource.split('/')[1] ?? '')})`,
      });
    if (source.mode === 'pinned') {
      findings.push({ resource, level: 'note', message: `runs ${source.image} as pinned: nothing is built or pushed` });
      return { findings, ...(credentials ? { credentials } : {}) };
    }
    if (source.mode === 'build') {
      const engine = await this.docker()
        .then((docker) => docker.ping())
        .then(
          () => undefined,
          (error: unknown) => describe(error),
        );
      if (engine !== undefined) findings.push({ resource, level: 'error', message: `the Docker engine that builds the image could not be reached: ${engine}` });
    }
    try {
      await new RegistryClient(source.ref.registry, credentials, this.options.inspectTimeoutMs).check(source.ref.repository);
    } catch (error) {
      findings.push({ resource, level: 'error', message: describe(error) });
    }
    return { findings, ...(credentials ? { credentials } : {}) };
  }

  /** After a failed rollout: the previous Deployment back (if there was one); the error to throw says what happened. */
  private async rollBack(ctx: DeployContext, objects: KubernetesObjectApi, previous: V1Deployment | undefined, error: unknown): Promise<unknown> {
    if (!(error instanceof AgentSpecError)) return error;
    if (!previous?.spec) {
      // a first apply: the Deployment it made goes, so no failing pods stay behind
      const name = appName(ctx.ir, ctx.deploy);
      const namespace = namespaceOf(ctx.deploy);
      ctx.progress(`deleting Deployment/${name}: its first rollout failed`);
      const removed = await objects.delete({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace } }).then(
        () => true,
        (e: unknown) => (e as { code?: unknown }).code === 404,
      );
      return new AgentSpecError(
        ErrorCode.DeployError,
        `${error.message} ${removed ? 'Its Deployment was removed; nothing was serving before.' : 'Removing its Deployment failed too.'}`,
        { cause: error, details: { ...error.details, ...(removed ? {} : { previous_restored: false }) } },
      );
    }
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
        details: { ...error.details, previous_restored: false },
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

/** The `.dockerconfigjson` of a pull Secret: the registry's credentials, as `docker login` writes them. */
function dockerConfigJson(registry: string, credentials: RegistryCredentials): string {
  const host = registry === 'docker.io' ? 'https://index.docker.io/v1/' : registry;
  const auth = Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64');
  return JSON.stringify({ auths: { [host]: { username: credentials.username, password: credentials.password, auth } } });
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
