/**
 * The Redis session service of a docker-compose stack, run on the Docker
 * engine (dockerode stays in this folder): one container per package and
 * target, host networking, labelled like the runtime container plus
 * `dev.agentspec.service=redis`, with a `redis-cli ping` health check that
 * apply waits on before the runtime starts. No persistence: sessions live
 * as long as this container, which an apply keeps unless its image or port
 * changed.
 */
import Docker from 'dockerode';
import { AgentSpecError, ErrorCode } from '../../../shared/errors.js';
import type { DeployContext } from '../types.js';
import { fingerprint } from '../fingerprint.js';
import { LABEL_PREFIX, imageLabels } from './build-context.js';

export { DEFAULT_REDIS_IMAGE } from './build-context.js';
import { demuxBuffer } from './demux.js';
import { inspectContainer } from './inspect.js';
import { requireImage } from './preflight.js';

export const SERVICE_LABEL = `${LABEL_PREFIX}.service`;

export interface RedisServiceOptions {
  image: string;
  port: number;
  healthTimeoutMs?: number;
}

export interface RedisServiceState {
  id: string;
  /** image + port: a different value means the container is replaced */
  fingerprint: string;
  /** false when an existing healthy container was kept */
  created: boolean;
}

/** Starts, inspects and removes the stack's Redis container. */
export class RedisService {
  private readonly docker: Docker;

  constructor(dockerOptions?: Docker.DockerOptions) {
    this.docker = new Docker(dockerOptions);
  }

  /** The fingerprint recorded in state for these options. */
  static fingerprint(options: RedisServiceOptions): string {
    return fingerprint({ image: options.image, port: options.port });
  }

  /** True when the recorded container runs and matches the options. */
  async isCurrent(id: string | undefined, recorded: string | undefined, options: RedisServiceOptions): Promise<boolean> {
    if (!id || recorded !== RedisService.fingerprint(options)) return false;
    const info = await inspectContainer(this.docker, id);
    return Boolean(info?.State.Running);
  }

  /** The Redis image is on the engine, or is pulled now; a `deploy_error` saying what to do when neither. */
  requireImage(image: string, progress: (message: string) => void): Promise<void> {
    return requireImage(this.docker, image, { role: 'Redis image', alternative: 'configure another Redis image (deployer option redisImage)' }, progress);
  }

  /** Keeps the recorded container when current, else replaces it; waits until healthy. */
  async ensure(ctx: DeployContext, options: RedisServiceOptions): Promise<RedisServiceState> {
    const id = ctx.state?.ids.redis_container === undefined ? undefined : String(ctx.state.ids.redis_container);
    const want = RedisService.fingerprint(options);
    if (await this.isCurrent(id, ctx.state?.fingerprints.redis, options)) return { id: id ?? '', fingerprint: want, created: false };
    // the image first: a missing one must not cost the stack the Redis it has
    await this.requireImage(options.image, ctx.progress);
    await this.remove(ctx);
    ctx.progress(`starting Redis (${options.image}) on 127.0.0.1:${options.port}`);
    const port = String(options.port);
    const container = await this.docker.createContainer({
      name: `${containerBase(ctx)}-redis`,
      Image: options.image,
      Cmd: ['redis-server', '--port', port, '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      Labels: { ...imageLabels(ctx.ir), [`${LABEL_PREFIX}.target`]: ctx.deploy.name, [SERVICE_LABEL]: 'redis' },
      // probed every 0.5 s while starting (apply waits on it), then every 10 s
      Healthcheck: {
        Test: ['CMD', 'redis-cli', '-p', port, 'ping'],
        Interval: 10_000_000_000,
        Timeout: 3_000_000_000,
        Retries: 3,
        StartPeriod: 30_000_000_000,
        StartInterval: 500_000_000,
      },
      HostConfig: { NetworkMode: 'host', RestartPolicy: { Name: 'unless-stopped' } },
    });
    await container.start();
    try {
      await this.waitHealthy(container, options.healthTimeoutMs ?? 60_000, ctx.signal);
    } catch (error) {
      await container.remove({ force: true }).catch(() => undefined);
      throw error;
    }
    return { id: container.id, fingerprint: want, created: true };
  }

  /** The container's state for `status`. */
  async status(id: string | undefined): Promise<{ healthy: boolean; detail: Record<string, unknown> }> {
    const info = await inspectContainer(this.docker, id);
    if (!info) return { healthy: false, detail: { container: id || undefined, running: false } };
    const health = info.State.Health?.Status;
    return {
      healthy: info.State.Running && health === 'healthy',
      detail: { container: info.Id.slice(0, 12), running: info.State.Running, docker_health: health, image: info.Config.Image },
    };
  }

  /** The container's log lines (not followed). */
  async logs(id: string | undefined, sinceMs?: number): Promise<string[]> {
    if (!id) return [];
    const since = sinceMs === undefined ? 0 : Math.floor((Date.now() - sinceMs) / 1000);
    const buffer = (await this.docker
      .getContainer(id)
      .logs({ follow: false, stdout: true, stderr: true, since })
      .catch(() => Buffer.alloc(0))) as Buffer;
    return demuxBuffer(buffer)
      .toString('utf8')
      .split('\n')
      .filter((line) => line.length > 0);
  }

  /** Removes this target's Redis container(s): the recorded one and any left by an interrupted apply. */
  async remove(ctx: DeployContext): Promise<void> {
    const found = await this.docker.listContainers({
      all: true,
      filters: { label: [`${LABEL_PREFIX}.package=${ctx.ir.package.name}`, `${LABEL_PREFIX}.target=${ctx.deploy.name}`, `${SERVICE_LABEL}=redis`] },
    });
    const ids = new Set(found.map((c) => c.Id));
    const recorded = ctx.state?.ids.redis_container;
    if (recorded) ids.add(String(recorded));
    for (const id of ids) {
      ctx.progress(`removing Redis container ${id.slice(0, 12)}`);
      await this.docker
        .getContainer(id)
        .remove({ force: true })
        .catch(() => undefined);
    }
  }

  private async waitHealthy(container: Docker.Container, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const info = await container.inspect();
      if (info.State.Health?.Status === 'healthy') return;
      if (!info.State.Running && !info.State.Restarting) {
        const buffer = (await container.logs({ stdout: true, stderr: true, tail: 20 }).catch(() => Buffer.alloc(0))) as Buffer;
        throw new AgentSpecError(
          ErrorCode.DeployError,
          `The Redis container exited (code ${info.State.ExitCode}); last log lines:\n${demuxBuffer(buffer).toString('utf8').trimEnd()}`,
        );
      }
      if (signal?.aborted) throw new AgentSpecError(ErrorCode.DeployError, 'Apply was cancelled while waiting for Redis to become healthy.');
      if (Date.now() > deadline) {
        throw new AgentSpecError(
          ErrorCode.DeployError,
          `Redis did not become healthy within ${Math.round(timeoutMs / 1000)} s (docker health: ${info.State.Health?.Status ?? 'none'}).`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

/** `agentspec-<package>-<target>`, the runtime container's name. */
export function containerBase(ctx: DeployContext): string {
  return `agentspec-${ctx.ir.package.name}-${ctx.deploy.name}`.toLowerCase().replace(/[^a-z0-9_.-]/g, '-');
}
