/**
 * The `docker` target, on the Docker engine through dockerode (imported only
 * in this folder: here and by the compose stack's Redis service). Apply builds an image from a generated context (bundled
 * runtime + IR + the package asset, non-root, HEALTHCHECK, labels), then runs it on the chosen network
 * (network.ts: the package's bridge network with the port published on `host`, or host networking), with
 * `env`, secrets as run-time env (never in a layer), resource limits and a restart policy, and waits until
 * it is healthy. A rollback (`ctx.restore`) runs the recorded image and builds nothing.
 *
 * Everything that can fail is checked before the old container stops (`preflight`: network, secrets, keys,
 * port, base image or the rollback's image; compose runs it before its Redis starts). Replacement: both networks publish one port, so the old container is
 * stopped (SIGTERM, drain, SIGKILL after the grace period) but kept; the new one starts; once it is
 * healthy the old one is removed, and when it fails the new one is removed and the old one started again,
 * probed on the health path its version recorded.
 */
import { PassThrough } from 'node:stream';
import { createInterface } from 'node:readline';
import Docker from 'dockerode';
import { AgentSpecError, ErrorCode } from '../../../shared/errors.js';
import { isLoopback } from '../../../shared/http/local-only.js';
import type { DeployContext, Deployer, DriftItem, LogOptions, PlanItem, TargetState, TargetStatus } from '../types.js';
import { deploySettings, fingerprint } from '../fingerprint.js';
import { probeHealth, waitHealthy } from '../health.js';
import { demuxBuffer } from './demux.js';
import { SERVICE_LABEL, containerBase } from './redis-container.js';
import { DEFAULT_BASE_IMAGE, LABEL_PREFIX, imageLabels } from './build-context.js';
import { packageAsset, type PackageAsset } from '../../package/package-assets.js';
import { inspectContainer, inspectImage } from './inspect.js';
import { buildRuntimeImage, runtimeImageTag, type RuntimeImage, type RuntimeImageRequest } from './build-image.js';
import { API_KEYS_VARIABLE, GENERATED_SOURCE, INSECURE_VARIABLE } from '../api-keys.js';
import { KEYS_SOURCE_LABEL, runtimeAuth, type RuntimeAuth } from '../runtime-auth.js';
import { runtimeSecretVariables, runtimeSecrets } from '../runtime-secrets.js';
import { RESTART_POLICY, containerCreateOptions, runtimeEnv, type RuntimeContainerSpec } from './container-config.js';
import {
  bridgeNetworkName,
  chooseNetwork,
  engineHasBridge,
  ensureBridgeNetwork,
  removeBridgeNetworkIfUnused,
  type ContainerNetwork,
  type NetworkChoice,
} from './network.js';
import { requireBaseImage, requirePort, requireRestoreImage } from './preflight.js';
import { imagesOfTarget, imagesToDrop, removeImage } from './retention.js';
import { containerDrift } from './drift.js';
import { DEFAULTS } from '../../../shared/lang/lower.js';

export interface DockerDeployerOptions {
  /** path of the bundled runtime (one ESM file); built on demand */
  bundle: () => Promise<string>;
  /** dockerode connection options; the default socket otherwise */
  docker?: Docker.DockerOptions;
  /** extra run-time environment (tests point ANTHROPIC_BASE_URL at a fake) */
  env?: Record<string, string>;
  /** remove the image too on destroy */
  removeImages?: boolean;
  /** seconds between SIGTERM and SIGKILL when stopping; 10 by default */
  stopGraceSeconds?: number;
  healthTimeoutMs?: number;
}

/** What a wrapping deployer (docker-compose) adds to one apply: environment for the runtime container. */
export interface RuntimeExtras {
  /** e.g. `REDIS_URL`; part of the settings fingerprint, so a change replaces the container */
  env?: Record<string, string>;
  /** the network when the deploy block sets none (compose's Redis on the host's loopback needs `host`) */
  defaultNetwork?: ContainerNetwork;
}

/**
 * What `preflight` found, for `apply` to run with: `unchanged` when nothing is to change (apply returns the state as
 * it is), else every input the checks resolved. Holds secret values (in `env`): kept in memory, never shown.
 */
export type CheckedApply = { unchanged: true; state: TargetState } | CheckedChange;

export interface CheckedChange {
  unchanged: false;
  network: NetworkChoice;
  host: string;
  port: number;
  healthPath: string;
  env: Record<string, string>;
  auth: RuntimeAuth;
  /** the rollback's recorded image, found on the engine, or the request that builds the new one (its base image there) */
  image: { restored: RuntimeImage } | { build: RuntimeImageRequest };
}

/** the port a deploy block without `port` serves on: the language's default */
const DEFAULT_PORT = DEFAULTS.port;
const DEFAULT_HEALTH_PATH = '/healthz';

/** The stopped container of the version being replaced, kept until the new one is healthy. */
interface Previous {
  id: string;
  wasRunning: boolean;
}

/** Deploys the runtime as one container on the local Docker engine. */
export class DockerDeployer implements Deployer {
  private readonly docker: Docker;
  /** the package asset of this operation's package, built once (plan and apply both need it) */
  private asset: { key: string; asset: PackageAsset } | undefined;
  private hasBridge: Promise<boolean> | undefined;

  constructor(private readonly options: DockerDeployerOptions) {
    this.docker = new Docker(options.docker);
  }

  async plan(ctx: DeployContext, extras: RuntimeExtras = {}): Promise<PlanItem[]> {
    const state = ctx.state;
    const network = await this.networkOf(ctx, extras);
    const settings = this.settingsFingerprint(ctx, extras, network);
    const networkItems = await this.networkPlan(ctx, network);
    if (!state)
      return [
        { resource: 'image', action: 'create', ...(ctx.restore ? { reason: 'rollback: the recorded image, not rebuilt' } : {}) },
        ...networkItems,
        { resource: 'container', action: 'create', reason: `${network.mode} networking: ${network.reason}` },
      ];
    const imageChanged = ctx.restore
      ? String(state.ids.image ?? '') !== String(ctx.restore.ids.image ?? '')
      : state.fingerprints.ir !== ctx.ir.hash || state.fingerprints.image_inputs !== this.imageInputsFingerprint(ctx, this.packageAssetOf(ctx));
    const running = await this.isRunning(String(state.ids.container ?? ''));
    const containerAction: PlanItem = state.in_progress
      ? { resource: 'container', action: 'update', reason: 'a previous apply was interrupted' }
      : !running
        ? { resource: 'container', action: 'create', reason: 'the recorded container is not running' }
        : imageChanged || state.fingerprints.settings !== settings
          ? { resource: 'container', action: 'update', reason: imageChanged ? 'new image' : 'deploy settings changed' }
          : { resource: 'container', action: 'unchanged' };
    const imageItem: PlanItem = ctx.restore
      ? { resource: 'image', action: imageChanged ? 'update' : 'unchanged', ...(imageChanged ? { reason: 'rollback: the recorded image, not rebuilt' } : {}) }
      : { resource: 'image', action: imageChanged ? 'update' : 'unchanged' };
    return [imageItem, ...networkItems, containerAction];
  }

  /**
   * Every check apply makes before it builds or stops anything, in this order: the network choice, the secrets and
   * the runtime's API keys, the port (free, or held by this target), then the image (the base image there or pulled,
   * or the rollback's recorded image). Changes nothing; a wrapping deployer (compose) calls it before its own services
   * start and hands the result to `apply`.
   */
  async preflight(ctx: DeployContext, extras: RuntimeExtras = {}): Promise<CheckedApply> {
    const items = await this.plan(ctx, extras);
    if (ctx.state && items.every((i) => i.action === 'unchanged')) return { unchanged: true, state: ctx.state };
    const attrs = ctx.deploy.attributes;
    const port = attrs.port ?? DEFAULT_PORT;
    const host = attrs.host ?? '127.0.0.1';
    const healthPath = attrs.health?.path ?? DEFAULT_HEALTH_PATH;
    const network = await this.networkOf(ctx, extras);
    ctx.progress(`network: ${network.mode} (${network.reason})`);
    const env: Record<string, string> = { ...this.options.env, ...attrs.env, ...extras.env };
    Object.assign(env, await runtimeSecrets(ctx));
    const auth = await runtimeAuth({
      deploy: ctx.deploy,
      host,
      env,
      secret: (name) => ctx.secret(name),
      previousGenerated: () => this.previousGeneratedKeys(ctx),
    });
    if (auth.warning) ctx.progress(`warning: ${auth.warning}`);
    Object.assign(env, auth.env);
    await requirePort(ctx.deploy.name, host, port, () => this.portHeldByTarget(ctx, port));
    const image = ctx.restore ? { restored: await this.restoredImage(ctx) } : { build: await this.buildRequest(ctx, port, healthPath) };
    return { unchanged: false, network, host, port, healthPath, env, auth, image };
  }

  /** Runs `checked` (the result of `preflight`, made now when not given): the old container stops only after every check passed. */
  async apply(ctx: DeployContext, extras: RuntimeExtras = {}, checked?: CheckedApply): Promise<TargetState> {
    const ready = checked ?? (await this.preflight(ctx, extras));
    if (ready.unchanged) return ready.state;
    const { network, host, port, healthPath, env, auth } = ready;
    const attrs = ctx.deploy.attributes;
    const endpoint = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;
    const image = 'restored' in ready.image ? ready.image.restored : await buildRuntimeImage(this.docker, ready.image.build);

    const spec: RuntimeContainerSpec = {
      name: containerBase(ctx),
      image: 'restored' in ready.image ? image.id : image.tag,
      env,
      labels: { ...imageLabels(ctx.ir), [`${LABEL_PREFIX}.target`]: ctx.deploy.name, [KEYS_SOURCE_LABEL]: auth.source },
      port,
      host,
      network: network.mode === 'bridge' ? { mode: 'bridge', name: await ensureBridgeNetwork(this.docker, ctx.ir.package.name) } : { mode: 'host' },
      stopGraceSeconds: this.options.stopGraceSeconds ?? 10,
      ...(attrs.resources ? { resources: attrs.resources } : {}),
    };
    await this.removeLeftovers(ctx);
    const previous = await this.stopPrevious(ctx, spec.name);
    const container = await this.startHealthy(ctx, spec, image.tag, `${endpoint}${healthPath}`, previous);
    if (previous) await this.removeContainer(previous.id);
    if (auth.generated)
      ctx.progress(
        `API key of deploy "${ctx.deploy.name}" (generated, shown this once; kept in the container's environment, reused by later applies): ${auth.generated}`,
      );
    const state: TargetState = {
      target: ctx.deploy.name,
      kind: 'docker',
      ir_hash: ctx.ir.hash,
      endpoint,
      // the health path is recorded so that restarting this version after a failed apply probes the path it serves
      ids: {
        container: container,
        image: image.id,
        tag: image.tag,
        network: spec.network.mode === 'bridge' ? spec.network.name : 'host',
        health_path: healthPath,
      },
      fingerprints: {
        ...(ctx.restore ? ctx.restore.fingerprints : { image_inputs: this.imageInputsFingerprint(ctx, this.packageAssetOf(ctx)) }),
        ir: ctx.ir.hash,
        settings: this.settingsFingerprint(ctx, extras, network),
      },
      applied_at: new Date().toISOString(),
    };
    // the versions leaving the history take their images along, unless a kept version or this one runs them
    for (const dropped of imagesToDrop(ctx.versions, state)) {
      if (await removeImage(this.docker, dropped)) ctx.progress(`removed image ${dropped.tag ?? dropped.id} (no longer kept for rollback)`);
    }
    if (spec.network.mode === 'host') await removeBridgeNetworkIfUnused(this.docker, ctx.ir.package.name);
    return state;
  }

  /** What differs between the recorded container and the engine's; environment variables by name only. */
  async diff(ctx: DeployContext, extras: RuntimeExtras = {}): Promise<DriftItem[]> {
    const state = ctx.state;
    if (!state) return [];
    const attrs = ctx.deploy.attributes;
    const id = String(state.ids.container ?? '');
    const info = await inspectContainer(this.docker, id);
    const others = (await this.targetContainers(ctx)).filter((c) => c !== id);
    const imageEnv = info ? ((await inspectImage(this.docker, info.Image))?.Config.Env ?? []) : [];
    const recordedNetwork = String(state.ids.network ?? 'host');
    const host = attrs.host ?? '127.0.0.1';
    const port = attrs.port ?? DEFAULT_PORT;
    const source = info?.Config.Labels?.[KEYS_SOURCE_LABEL];
    const authKeys =
      source === undefined || source === 'package' ? [] : source === 'none' ? (isLoopback(host) ? [] : [INSECURE_VARIABLE]) : [API_KEYS_VARIABLE];
    const network: RuntimeContainerSpec['network'] = recordedNetwork === 'host' ? { mode: 'host' } : { mode: 'bridge', name: recordedNetwork };
    const env = Object.fromEntries(
      [...Object.keys({ ...attrs.env, ...extras.env }), ...runtimeSecretVariables(ctx.ir, ctx.deploy), ...authKeys].map((k) => [k, '']),
    );
    return containerDrift(
      {
        id,
        image: String(state.ids.image ?? ''),
        envKeys: Object.keys(runtimeEnv({ env, host, port, network })),
        restartPolicy: RESTART_POLICY,
        port,
        host,
        network,
        ...(attrs.resources ? { resources: attrs.resources } : {}),
      },
      { info, others, imageEnvKeys: imageEnv.map((e) => e.split('=')[0] ?? e) },
    );
  }

  async status(ctx: DeployContext): Promise<TargetStatus> {
    const id = String(ctx.state?.ids.container ?? '');
    const base = {
      target: ctx.deploy.name,
      ...(ctx.state?.endpoint ? { endpoint: ctx.state.endpoint } : {}),
      ...(ctx.state ? { version: ctx.state.ir_hash } : {}),
    };
    const info = await inspectContainer(this.docker, id);
    if (!info) return { ...base, healthy: false, detail: { container: id || undefined, running: false } };
    const health = info.State.Health?.Status;
    const probed = ctx.state?.endpoint ? await probeHealth(`${ctx.state.endpoint}${recordedHealthPath(ctx.state)}`) : false;
    const detail: Record<string, unknown> = { container: info.Id.slice(0, 12), running: info.State.Running, docker_health: health, image: info.Config.Image };
    if (info.State.Running) {
      const stats: Docker.ContainerStats | undefined = await this.docker
        .getContainer(id)
        .stats({ stream: false })
        .catch(() => undefined);
      if (stats) detail.memory_bytes = stats.memory_stats.usage;
    }
    return { ...base, healthy: info.State.Running && probed, detail };
  }

  async *logs(ctx: DeployContext, options: LogOptions): AsyncIterable<string> {
    const id = String(ctx.state?.ids.container ?? '');
    if (!id) return;
    const container = this.docker.getContainer(id);
    const since = options.sinceMs === undefined ? 0 : Math.floor((Date.now() - options.sinceMs) / 1000);
    const out = new PassThrough();
    if (options.follow) {
      const stream = await container.logs({ follow: true, stdout: true, stderr: true, since });
      this.docker.modem.demuxStream(stream, out, out);
      stream.on('end', () => out.end());
      options.signal?.addEventListener('abort', () => {
        (stream as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
        out.end();
      });
    } else {
      const buffer = await container.logs({ follow: false, stdout: true, stderr: true, since });
      out.end(demuxBuffer(buffer));
    }
    for await (const line of createInterface({ input: out, crlfDelay: Infinity })) yield line;
  }

  async destroy(ctx: DeployContext): Promise<void> {
    const ids = new Set(await this.targetContainers(ctx));
    if (ctx.state?.ids.container) ids.add(String(ctx.state.ids.container));
    for (const id of ids) {
      ctx.progress(`stopping container ${id.slice(0, 12)} (draining in-flight requests)`);
      await this.docker
        .getContainer(id)
        .stop({ t: this.options.stopGraceSeconds ?? 10 })
        .catch(() => undefined);
      await this.removeContainer(id);
    }
    // Only this target's own images (the current one and those kept for rollback): a sweep by package label
    // would also take images that another target of the same package has just built and not yet started.
    if (this.options.removeImages) {
      for (const image of imagesOfTarget(ctx.versions, ctx.state)) {
        ctx.progress(`removing image ${image.tag ?? image.id}`);
        await removeImage(this.docker, image);
      }
    }
    if (await removeBridgeNetworkIfUnused(this.docker, ctx.ir.package.name)) ctx.progress(`removed network ${bridgeNetworkName(ctx.ir.package.name)}`);
  }

  /** The network this apply uses; the engine is asked once whether it has a bridge. */
  private async networkOf(ctx: DeployContext, extras: RuntimeExtras): Promise<NetworkChoice> {
    const requested = ctx.deploy.attributes.network ?? extras.defaultNetwork;
    // a wrapping stack's service on the host's loopback (compose's Redis) is out of a bridge network's reach
    const redis = extras.env?.REDIS_URL;
    const loopbackNeed = redis !== undefined && isLoopback(hostOf(redis)) ? `Redis at ${redis}` : undefined;
    if (requested === 'host') return chooseNetwork(ctx.deploy.name, requested, false);
    this.hasBridge ??= engineHasBridge(this.docker);
    return chooseNetwork(ctx.deploy.name, requested, await this.hasBridge, loopbackNeed);
  }

  private async networkPlan(ctx: DeployContext, network: NetworkChoice): Promise<PlanItem[]> {
    if (network.mode !== 'bridge') return [];
    const name = bridgeNetworkName(ctx.ir.package.name);
    const exists = await this.docker
      .getNetwork(name)
      .inspect()
      .then(() => true)
      .catch(() => false);
    return [{ resource: `network ${name}`, action: exists ? 'unchanged' : 'create', reason: network.reason }];
  }

  /** The request that builds (or finds) the image; the base image must be there or pullable unless the image exists already. */
  private async buildRequest(ctx: DeployContext, port: number, healthPath: string): Promise<RuntimeImageRequest> {
    const attrs = ctx.deploy.attributes;
    const request: RuntimeImageRequest = {
      ir: ctx.ir,
      port,
      healthPath,
      packageAsset: this.packageAssetOf(ctx),
      bundlePath: await this.options.bundle(),
      progress: ctx.progress,
      ...(attrs.base_image ? { baseImage: attrs.base_image } : {}),
      ...(attrs.image ? { tag: attrs.image } : {}),
    };
    const { tag } = await runtimeImageTag(request);
    if (!(await inspectImage(this.docker, tag))) await requireBaseImage(this.docker, attrs.base_image ?? DEFAULT_BASE_IMAGE, ctx.progress);
    return request;
  }

  /** The rollback's recorded image, by id (its tag may have moved on); nothing is built or bundled. */
  private async restoredImage(ctx: DeployContext): Promise<{ tag: string; id: string }> {
    const restore = ctx.restore as TargetState;
    const id = await requireRestoreImage(this.docker, restore);
    ctx.progress(`rollback: running the recorded image ${String(restore.ids.tag ?? id)} (${id.replace(/^sha256:/, '').slice(0, 12)}), nothing rebuilt`);
    return { id, tag: String(restore.ids.tag ?? id) };
  }

  /** Starts the new container and waits until it is healthy; on failure removes it and brings `previous` back. */
  private async startHealthy(ctx: DeployContext, spec: RuntimeContainerSpec, tag: string, healthUrl: string, previous: Previous | undefined): Promise<string> {
    let container: Docker.Container | undefined;
    try {
      ctx.progress(`starting container from ${tag}`);
      container = await this.docker.createContainer(containerCreateOptions(spec));
      await container.start();
      const started = container;
      await waitHealthy(healthUrl, {
        timeoutMs: this.options.healthTimeoutMs ?? 60_000,
        ...(ctx.signal ? { signal: ctx.signal } : {}),
        failed: async () => {
          const info = await started.inspect();
          // a crash at start is final: the restart policy would only loop it until the health wait times out
          const crashed = info.RestartCount > 0 || !(info.State.Running || info.State.Restarting);
          return crashed ? `The new container exited (code ${info.State.ExitCode}).` : undefined;
        },
      });
      return container.id;
    } catch (error) {
      const lines = container ? await this.tail(container.id) : '';
      if (container) await this.removeContainer(container.id);
      const restored = previous ? await this.restartPrevious(ctx, previous, spec.name) : undefined;
      throw failedApply(error, lines, restored);
    }
  }

  /** Stops the recorded container (kept, renamed aside so the new one can take the name); undefined when there is none. */
  private async stopPrevious(ctx: DeployContext, name: string): Promise<Previous | undefined> {
    const info = await inspectContainer(this.docker, ctx.state?.ids.container === undefined ? undefined : String(ctx.state.ids.container));
    if (!info) return undefined;
    const container = this.docker.getContainer(info.Id);
    if (info.State.Running) ctx.progress(`stopping container ${info.Id.slice(0, 12)} (draining in-flight requests; kept until the new one is healthy)`);
    await container.stop({ t: this.options.stopGraceSeconds ?? 10 }).catch(() => undefined);
    const previous = { id: info.Id, wasRunning: info.State.Running };
    if (info.Name !== `/${name}-previous`) {
      await container.rename({ name: `${name}-previous` }).catch(async (error: unknown) => {
        const restored = await this.restartPrevious(ctx, previous, name);
        throw failedApply(error, '', restored);
      });
    }
    return previous;
  }

  /** Puts the previous container back under its name and, when it was serving, starts it and waits until it is healthy. */
  private async restartPrevious(ctx: DeployContext, previous: Previous, name: string): Promise<boolean> {
    try {
      const container = this.docker.getContainer(previous.id);
      if ((await container.inspect()).Name !== `/${name}`) await container.rename({ name });
      if (!previous.wasRunning) return true;
      ctx.progress(`starting the previous container ${previous.id.slice(0, 12)} again`);
      await container.start();
      const endpoint = ctx.state?.endpoint;
      // the previous version was healthy before: it gets the full default wait whatever the new one was given, on its own path
      if (endpoint) await waitHealthy(`${endpoint}${recordedHealthPath(ctx.state)}`, { timeoutMs: Math.max(this.options.healthTimeoutMs ?? 0, 60_000) });
      return true;
    } catch {
      return false;
    }
  }

  /** The generated keys the target's current container runs with, so a re-apply keeps them. */
  private async previousGeneratedKeys(ctx: DeployContext): Promise<string | undefined> {
    const info = await inspectContainer(this.docker, ctx.state?.ids.container === undefined ? undefined : String(ctx.state.ids.container));
    if (info?.Config.Labels[KEYS_SOURCE_LABEL] !== GENERATED_SOURCE) return undefined;
    const entry = info.Config.Env.find((e) => e.startsWith(`${API_KEYS_VARIABLE}=`));
    return entry?.slice(API_KEYS_VARIABLE.length + 1);
  }

  /** True when a running container of this target serves `port` (its `PORT`), so the port in use is ours. */
  private async portHeldByTarget(ctx: DeployContext, port: number): Promise<boolean> {
    for (const id of await this.targetContainers(ctx)) {
      const info = await inspectContainer(this.docker, id);
      if (info?.State.Running && info.Config.Env.includes(`PORT=${port}`)) return true;
    }
    return false;
  }

  private settingsFingerprint(ctx: DeployContext, extras: RuntimeExtras, network: NetworkChoice): string {
    // a bridge chosen by default is part of what runs (host, the only choice before, keeps the fingerprints it had)
    const chosen = ctx.deploy.attributes.network === undefined && network.mode === 'bridge' ? { network: 'bridge' } : {};
    return fingerprint({ settings: deploySettings(ctx.deploy), env: { ...this.options.env, ...extras.env }, ...chosen });
  }

  private imageInputsFingerprint(ctx: DeployContext, asset: PackageAsset): string {
    const attrs = ctx.deploy.attributes;
    return fingerprint({
      base: attrs.base_image ?? null,
      image: attrs.image ?? null,
      port: attrs.port ?? DEFAULT_PORT,
      health: attrs.health?.path ?? DEFAULT_HEALTH_PATH,
      // a changed server script (or one of its dependencies) is a new image even when the IR is the same
      ...(asset.files.length ? { package_asset: asset.digest } : {}),
    });
  }

  /** The files of the package folder (`workdir`) its IR references, servers bundled; refuses a reference outside the folder. */
  private packageAssetOf(ctx: DeployContext): PackageAsset {
    const key = `${ctx.ir.hash}\0${ctx.workdir}`;
    if (this.asset?.key !== key) this.asset = { key, asset: packageAsset(ctx.ir, ctx.workdir) };
    return this.asset.asset;
  }

  private async isRunning(id: string): Promise<boolean> {
    if (!id) return false;
    const info = await inspectContainer(this.docker, id);
    return Boolean(info?.State.Running);
  }

  /** Ids of the runtime containers carrying this target's labels (not the stack's other services, e.g. compose's Redis). */
  private async targetContainers(ctx: DeployContext): Promise<string[]> {
    const found = await this.docker.listContainers({
      all: true,
      filters: { label: [`${LABEL_PREFIX}.package=${ctx.ir.package.name}`, `${LABEL_PREFIX}.target=${ctx.deploy.name}`] },
    });
    return found.filter((c) => !c.Labels[SERVICE_LABEL]).map((c) => c.Id);
  }

  /** Removes this target's containers an interrupted apply left behind (all but the recorded one). */
  private async removeLeftovers(ctx: DeployContext): Promise<void> {
    const recorded = String(ctx.state?.ids.container ?? '');
    for (const id of await this.targetContainers(ctx)) {
      if (id === recorded) continue;
      ctx.progress(`removing container ${id.slice(0, 12)} left by an interrupted apply`);
      await this.removeContainer(id);
    }
  }

  private async removeContainer(id: string): Promise<void> {
    await this.docker
      .getContainer(id)
      .remove({ force: true })
      .catch(() => undefined);
  }

  private async tail(id: string): Promise<string> {
    const buffer = (await this.docker
      .getContainer(id)
      .logs({ stdout: true, stderr: true, tail: 20 })
      .catch(() => Buffer.alloc(0))) as Buffer;
    return demuxBuffer(buffer).toString('utf8').trimEnd();
  }
}

/** The health path the recorded version serves; `/healthz` for a state recorded before the path was kept. */
function recordedHealthPath(state: TargetState | undefined): string {
  return String(state?.ids.health_path ?? DEFAULT_HEALTH_PATH);
}

/** The host name of a URL (`redis://127.0.0.1:6379` → `127.0.0.1`); empty when it is not one. */
function hostOf(url: string): string {
  try {
    return new URL(url).hostname.replace(/^\[|\]$/g, '');
  } catch {
    return '';
  }
}

/** The error of an apply whose new container failed: the cause, the new container's last lines, and whether the previous one serves again. */
function failedApply(error: unknown, lines: string, restored: boolean | undefined): AgentSpecError {
  const cause = error instanceof AgentSpecError ? error : undefined;
  const message = error instanceof Error ? error.message : String(error);
  const outcome =
    restored === undefined
      ? ''
      : restored
        ? '\nThe previous version is serving again.'
        : '\nThe previous version could not be started again: run apply again to recover.';
  return new AgentSpecError(cause?.code ?? ErrorCode.DeployError, `${message}${lines ? `\nLast log lines of the new container:\n${lines}` : ''}${outcome}`, {
    cause: error,
    details: { ...cause?.details, ...(restored === undefined ? {} : { previous_restored: restored }) },
  });
}
