/**
 * The `docker` target, on the Docker engine through dockerode (imported only
 * in this folder: here and by the compose stack's Redis service). Apply builds an image from a generated context (bundled
 * runtime + IR + the package asset, non-root, HEALTHCHECK, labels), then runs it with host
 * networking, the port, `env`, secrets as run-time env (never in a layer),
 * resource limits and a restart policy, and waits until it is healthy.
 *
 * Replacement under host networking: two containers cannot bind one port,
 * so a changed package stops the old container first (SIGTERM, the runtime
 * drains in-flight requests, SIGKILL after the grace period), then starts the
 * new one. The new image is built before the old container stops, so the gap
 * is the new runtime's start-up only.
 */
import { PassThrough } from 'node:stream';
import { createInterface } from 'node:readline';
import Docker from 'dockerode';
import { AgentSpecError, ErrorCode } from '../../../shared/errors.js';
import type { DeployContext, Deployer, DriftItem, LogOptions, PlanItem, TargetState, TargetStatus } from '../types.js';
import { deploySettings, fingerprint } from '../fingerprint.js';
import { probeHealth, waitHealthy } from '../health.js';
import { parseCpu, parseMemory } from '../quantity.js';
import { demuxBuffer } from './demux.js';
import { SERVICE_LABEL, containerBase } from './redis-container.js';
import { LABEL_PREFIX, imageLabels } from './build-context.js';
import { packageAsset, type PackageAsset } from '../../package/package-assets.js';
import { inspectContainer } from './inspect.js';
import { buildRuntimeImage } from './build-image.js';
import { API_KEYS_VARIABLE, GENERATED_SOURCE } from '../api-keys.js';
import { KEYS_SOURCE_LABEL, containerAuth } from './container-auth.js';

/**
 * Removing an image deletes only that image, not its untagged parents: the
 * builder's cached layers may be the parents of an image another target (or
 * another checkout) is building at that moment, whose build then fails with
 * "unknown parent image ID". Dangling layers go with `docker image prune`.
 */
const KEEP_PARENTS = { noprune: true };

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
}

const DEFAULT_PORT = 8080;

/** Deploys the runtime as one container on the local Docker engine. */
export class DockerDeployer implements Deployer {
  /** The generated keys the target's current container runs with, so a re-apply keeps them. */
  private async previousGeneratedKeys(ctx: DeployContext): Promise<string | undefined> {
    const info = await inspectContainer(this.docker, ctx.state?.ids.container === undefined ? undefined : String(ctx.state.ids.container));
    if (info?.Config.Labels[KEYS_SOURCE_LABEL] !== GENERATED_SOURCE) return undefined;
    const entry = info.Config.Env.find((e) => e.startsWith(`${API_KEYS_VARIABLE}=`));
    return entry?.slice(API_KEYS_VARIABLE.length + 1);
  }

  private readonly docker: Docker;
  /** the package asset of this operation's package, built once (plan and apply both need it) */
  private asset: { key: string; asset: PackageAsset } | undefined;

  constructor(private readonly options: DockerDeployerOptions) {
    this.docker = new Docker(options.docker);
  }

  async plan(ctx: DeployContext, extras: RuntimeExtras = {}): Promise<PlanItem[]> {
    const state = ctx.state;
    const asset = this.packageAssetOf(ctx);
    const settings = this.settingsFingerprint(ctx, extras);
    if (!state)
      return [
        { resource: 'image', action: 'create' },
        { resource: 'container', action: 'create' },
      ];
    const imageChanged = state.fingerprints.ir !== ctx.ir.hash || state.fingerprints.image_inputs !== this.imageInputsFingerprint(ctx, asset);
    const running = await this.isRunning(String(state.ids.container ?? ''));
    const containerAction: PlanItem = state.in_progress
      ? { resource: 'container', action: 'update', reason: 'a previous apply was interrupted' }
      : !running
        ? { resource: 'container', action: 'create', reason: 'the recorded container is not running' }
        : imageChanged || state.fingerprints.settings !== settings
          ? { resource: 'container', action: 'update', reason: imageChanged ? 'new image' : 'deploy settings changed' }
          : { resource: 'container', action: 'unchanged' };
    return [{ resource: 'image', action: imageChanged ? 'update' : 'unchanged' }, containerAction];
  }

  async apply(ctx: DeployContext, extras: RuntimeExtras = {}): Promise<TargetState> {
    const items = await this.plan(ctx, extras);
    if (ctx.state && items.every((i) => i.action === 'unchanged')) return ctx.state;
    const attrs = ctx.deploy.attributes;
    const port = attrs.port ?? DEFAULT_PORT;
    const healthPath = attrs.health?.path ?? '/healthz';
    const host = attrs.host ?? '127.0.0.1';
    const endpoint = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;

    // environment first, so a missing secret or key fails before the build: plain env, then secrets resolved now
    // and handed to the engine at create time only, then the API keys a runtime beyond loopback must have
    const env: Record<string, string> = { ...this.options.env, ...attrs.env, HOST: host, PORT: String(port), ...extras.env };
    for (const [variable, secret] of Object.entries(attrs.secrets)) env[variable] = await ctx.secret(secret);
    const auth = await containerAuth({
      deploy: ctx.deploy,
      host,
      env,
      secret: (name) => ctx.secret(name),
      previousGenerated: () => this.previousGeneratedKeys(ctx),
    });
    if (auth.warning) ctx.progress(`warning: ${auth.warning}`);
    Object.assign(env, auth.env);

    const { tag, id: imageId } = await buildRuntimeImage(this.docker, {
      ir: ctx.ir,
      port,
      healthPath,
      packageAsset: this.packageAssetOf(ctx),
      bundlePath: await this.options.bundle(),
      progress: ctx.progress,
      ...(attrs.base_image ? { baseImage: attrs.base_image } : {}),
      ...(attrs.image ? { tag: attrs.image } : {}),
    });
    const asset = this.packageAssetOf(ctx);

    await this.removeManaged(ctx, this.options.stopGraceSeconds ?? 10);
    ctx.progress(`starting container from ${tag}`);
    const container = await this.docker.createContainer({
      name: containerName(ctx),
      Image: tag,
      Env: Object.entries(env).map(([k, v]) => `${k}=${v}`),
      Labels: { ...imageLabels(ctx.ir), [`${LABEL_PREFIX}.target`]: ctx.deploy.name, [KEYS_SOURCE_LABEL]: auth.source },
      StopSignal: 'SIGTERM',
      StopTimeout: this.options.stopGraceSeconds ?? 10,
      HostConfig: {
        NetworkMode: 'host',
        RestartPolicy: { Name: 'unless-stopped' },
        ...(attrs.resources?.cpu ? { NanoCpus: Math.round(parseCpu(attrs.resources.cpu) * 1e9) } : {}),
        ...(attrs.resources?.memory ? { Memory: parseMemory(attrs.resources.memory) } : {}),
      },
    });
    await container.start();
    try {
      await waitHealthy(`${endpoint}${healthPath}`, {
        timeoutMs: this.options.healthTimeoutMs ?? 60_000,
        ...(ctx.signal ? { signal: ctx.signal } : {}),
        failed: async () => {
          const info = await container.inspect();
          return info.State.Running || info.State.Restarting
            ? undefined
            : `The container exited (code ${info.State.ExitCode}); last log lines:\n${await this.tail(container.id)}`;
        },
      });
    } catch (error) {
      await container.remove({ force: true }).catch(() => undefined);
      throw error;
    }
    if (auth.generated)
      ctx.progress(
        `API key of deploy "${ctx.deploy.name}" (generated, shown this once; kept in the container's environment, reused by later applies): ${auth.generated}`,
      );
    // The image this target ran before is no longer needed once the new one is healthy. Only that one:
    // other targets (and other checkouts) of the same package may be using images with the same labels.
    const previous = ctx.state?.ids.tag;
    if (previous !== undefined && String(previous) !== tag && String(previous).startsWith('agentspec/')) {
      await this.docker
        .getImage(String(previous))
        .remove(KEEP_PARENTS)
        .catch(() => undefined);
    }
    return {
      target: ctx.deploy.name,
      kind: 'docker',
      ir_hash: ctx.ir.hash,
      endpoint,
      ids: { container: container.id, image: imageId, tag },
      fingerprints: { ir: ctx.ir.hash, image_inputs: this.imageInputsFingerprint(ctx, asset), settings: this.settingsFingerprint(ctx, extras) },
      applied_at: new Date().toISOString(),
    };
  }

  // placeholder until this target's drift check lands
  diff(_ctx: DeployContext): Promise<DriftItem[]> {
    return Promise.reject(new AgentSpecError(ErrorCode.DeployError, 'diff is not available for this target yet.'));
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
    const probed = ctx.state?.endpoint ? await probeHealth(`${ctx.state.endpoint}${ctx.deploy.attributes.health?.path ?? '/healthz'}`) : false;
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
    await this.removeManaged(ctx, this.options.stopGraceSeconds ?? 10);
    // Only this target's own image (apply already removed the ones it replaced): a sweep by package label
    // would also take images that another target of the same package has just built and not yet started.
    const tag = ctx.state?.ids.tag;
    if (this.options.removeImages && tag !== undefined) {
      ctx.progress(`removing image ${tag}`);
      await this.docker
        .getImage(String(tag))
        .remove(KEEP_PARENTS)
        .catch(() => undefined);
    }
  }

  private settingsFingerprint(ctx: DeployContext, extras: RuntimeExtras = {}): string {
    return fingerprint({ settings: deploySettings(ctx.deploy), env: { ...this.options.env, ...extras.env } });
  }

  private imageInputsFingerprint(ctx: DeployContext, asset: PackageAsset): string {
    const attrs = ctx.deploy.attributes;
    return fingerprint({
      base: attrs.base_image ?? null,
      image: attrs.image ?? null,
      port: attrs.port ?? DEFAULT_PORT,
      health: attrs.health?.path ?? '/healthz',
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

  /** Stops and removes this target's container(s): the recorded one and any left by an interrupted apply. */
  private async removeManaged(ctx: DeployContext, graceSeconds: number): Promise<void> {
    const found = await this.docker.listContainers({
      all: true,
      filters: { label: [`${LABEL_PREFIX}.package=${ctx.ir.package.name}`, `${LABEL_PREFIX}.target=${ctx.deploy.name}`] },
    });
    // containers of the stack's other services (docker-compose's Redis) carry a service label and are not the runtime
    const ids = new Set(found.filter((c) => !c.Labels[SERVICE_LABEL]).map((c) => c.Id));
    const recorded = ctx.state?.ids.container;
    if (recorded) ids.add(String(recorded));
    for (const id of ids) {
      const container = this.docker.getContainer(id);
      ctx.progress(`stopping container ${id.slice(0, 12)} (draining in-flight requests)`);
      await container.stop({ t: graceSeconds }).catch(() => undefined);
      await container.remove({ force: true }).catch(() => undefined);
    }
  }

  private async tail(id: string): Promise<string> {
    const buffer = (await this.docker
      .getContainer(id)
      .logs({ stdout: true, stderr: true, tail: 20 })
      .catch(() => Buffer.alloc(0))) as Buffer;
    return demuxBuffer(buffer).toString('utf8').trimEnd();
  }
}

function containerName(ctx: DeployContext): string {
  return containerBase(ctx);
}
