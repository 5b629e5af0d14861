/**
 * The `docker-compose` target: writes `docker-compose.agentspec.yml` beside
 * the package and runs the stack it describes through the Docker engine, so
 * no `docker compose` CLI is needed. The runtime service is run by the docker
 * deployer (same image, labels, health wait, replacement). When the stack
 * needs Redis (replicas > 1 or `sessions "redis"`), a Redis container is
 * started first (or kept, when unchanged) and waited for healthy, and the
 * runtime gets `REDIS_URL` + `AGENTSPEC_SESSIONS=redis`: sessions then live
 * in Redis and survive a runtime replacement.
 *
 * Replicas on one host: with host networking every replica would need the
 * one port, so this target runs one runtime container; `replicas` only
 * switches sessions to Redis here and scales on Kubernetes.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import type Docker from 'dockerode';
import { join } from 'node:path';
import { AgentSpecError, ErrorCode } from '../../../shared/errors.js';
import type { DeployContext, Deployer, DriftItem, LogOptions, PlanItem, TargetState, TargetStatus } from '../types.js';
import { fingerprint } from '../fingerprint.js';
import type { DockerDeployer } from '../docker/docker-deployer.js';
import { DEFAULT_REDIS_IMAGE, RedisService, type RedisServiceOptions } from '../docker/redis-container.js';
import { COMPOSE_FILE_NAME, REDIS_PORT, composeYaml, needsRedis, redisUrl } from './compose-file.js';

export interface ComposeDeployerOptions {
  /** the Redis session service's image; `redis:7-alpine` by default */
  redisImage?: string;
  /** Redis's port on the host (host networking); 6379 by default */
  redisPort?: number;
  /** dockerode connection options for the Redis container; the default socket otherwise */
  docker?: Docker.DockerOptions;
  redisHealthTimeoutMs?: number;
}

/** Deploys as a compose stack: Redis (when needed) and the runtime container run by `inner`. */
export class ComposeDeployer implements Deployer {
  private readonly redis: RedisService;

  constructor(
    private readonly inner: DockerDeployer,
    private readonly options: ComposeDeployerOptions = {},
  ) {
    this.redis = new RedisService(options.docker);
  }

  async plan(ctx: DeployContext): Promise<PlanItem[]> {
    const path = join(ctx.workdir, COMPOSE_FILE_NAME);
    const current = await readFile(path, 'utf8').catch(() => undefined);
    // unchanged when the file is still what the last apply wrote and the package is the same
    const same = current !== undefined && fingerprint(current) === ctx.state?.fingerprints.compose_file && ctx.state.ir_hash === ctx.ir.hash;
    const fileAction: PlanItem = { resource: `file ${COMPOSE_FILE_NAME}`, action: current === undefined ? 'create' : same ? 'unchanged' : 'update' };
    return [fileAction, ...(await this.redisPlan(ctx)), ...(await this.inner.plan(ctx, this.runtimeExtras(ctx)))];
  }

  async apply(ctx: DeployContext): Promise<TargetState> {
    let redisIds: Record<string, string> = {};
    let redisFingerprints: Record<string, string> = {};
    if (needsRedis(ctx.deploy)) {
      // Redis first and healthy: the runtime connects to it at start-up
      const redis = await this.redis.ensure(ctx, this.redisOptions());
      redisIds = { redis_container: redis.id };
      redisFingerprints = { redis: redis.fingerprint };
    } else if (ctx.state?.ids.redis_container !== undefined) {
      await this.redis.remove(ctx);
    }
    const state = await this.inner.apply(ctx, this.runtimeExtras(ctx));
    const text = this.yaml(ctx, String(state.ids.tag ?? ''));
    await writeFile(join(ctx.workdir, COMPOSE_FILE_NAME), text);
    const { redis_container: _oldId, ...ids } = state.ids;
    const { redis: _oldRedis, ...fingerprints } = state.fingerprints;
    return {
      ...state,
      kind: 'docker-compose',
      ids: { ...ids, ...redisIds },
      fingerprints: { ...fingerprints, ...redisFingerprints, compose_file: fingerprint(text) },
    };
  }

  // placeholder until this target's drift check lands
  diff(_ctx: DeployContext): Promise<DriftItem[]> {
    return Promise.reject(new AgentSpecError(ErrorCode.DeployError, 'diff is not available for this target yet.'));
  }

  async status(ctx: DeployContext): Promise<TargetStatus> {
    const runtime = await this.inner.status(ctx);
    if (!needsRedis(ctx.deploy) && ctx.state?.ids.redis_container === undefined) return runtime;
    const redis = await this.redis.status(this.redisId(ctx));
    return { ...runtime, healthy: runtime.healthy && redis.healthy, detail: { ...runtime.detail, redis: redis.detail } };
  }

  async *logs(ctx: DeployContext, options: LogOptions): AsyncIterable<string> {
    // Redis's lines first (not followed: it logs little after start-up), prefixed to tell them apart
    if (!options.follow) for (const line of await this.redis.logs(this.redisId(ctx), options.sinceMs)) yield `[redis] ${line}`;
    yield* this.inner.logs(ctx, options);
  }

  async destroy(ctx: DeployContext): Promise<void> {
    await this.inner.destroy(ctx);
    await this.redis.remove(ctx);
    await rm(join(ctx.workdir, COMPOSE_FILE_NAME), { force: true });
  }

  private async redisPlan(ctx: DeployContext): Promise<PlanItem[]> {
    const recorded = this.redisId(ctx);
    if (!needsRedis(ctx.deploy)) return recorded ? [{ resource: 'container redis', action: 'delete' }] : [];
    if (!ctx.state || !recorded) return [{ resource: 'container redis', action: 'create' }];
    const current = await this.redis.isCurrent(recorded, ctx.state.fingerprints.redis, this.redisOptions());
    if (current) return [{ resource: 'container redis', action: 'unchanged' }];
    const changed = ctx.state.fingerprints.redis !== RedisService.fingerprint(this.redisOptions());
    return [
      {
        resource: 'container redis',
        action: 'update',
        reason: changed ? 'Redis image or port changed (sessions are lost)' : 'the recorded container is not running',
      },
    ];
  }

  private redisId(ctx: DeployContext): string | undefined {
    const id = ctx.state?.ids.redis_container;
    return id === undefined ? undefined : String(id);
  }

  private redisOptions(): RedisServiceOptions {
    return {
      image: this.options.redisImage ?? DEFAULT_REDIS_IMAGE,
      port: this.options.redisPort ?? REDIS_PORT,
      ...(this.options.redisHealthTimeoutMs ? { healthTimeoutMs: this.options.redisHealthTimeoutMs } : {}),
    };
  }

  private runtimeExtras(ctx: DeployContext): { env?: Record<string, string> } {
    return needsRedis(ctx.deploy) ? { env: { REDIS_URL: redisUrl(this.options.redisPort ?? REDIS_PORT), AGENTSPEC_SESSIONS: 'redis' } } : {};
  }

  private yaml(ctx: DeployContext, image: string): string {
    return composeYaml({
      ir: ctx.ir,
      deploy: ctx.deploy,
      image,
      ...(this.options.redisImage ? { redisImage: this.options.redisImage } : {}),
      ...(this.options.redisPort ? { redisPort: this.options.redisPort } : {}),
    });
  }
}
