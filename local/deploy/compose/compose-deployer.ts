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
 * Lifecycle: a rollback (`restore`) runs the recorded image without a build
 * and keeps an unchanged Redis, so sessions survive it too; a failed apply
 * leaves the previous runtime, Redis and compose file as they were (a first
 * apply leaves nothing), and what can be checked (the runtime's secrets, keys,
 * port and image, the Redis port and image) is checked before Redis starts; `diff` adds Redis and a hand-edited compose file to
 * the runtime's drift.
 *
 * Replicas on one host: with host networking every replica would need the
 * one port, so this target runs one runtime container; `replicas` only
 * switches sessions to Redis here and scales on Kubernetes.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import type Docker from 'dockerode';
import { join } from 'node:path';
import { AgentSpecError, ErrorCode, isAgentSpecError } from '../../../shared/errors.js';
import type { DeployContext, Deployer, DriftItem, LogOptions, PlanItem, TargetState, TargetStatus } from '../types.js';
import { fingerprint } from '../fingerprint.js';
import type { DockerDeployer } from '../docker/docker-deployer.js';
import { DEFAULT_REDIS_IMAGE, RedisService, containerBase, type RedisServiceOptions, type RedisServiceState } from '../docker/redis-container.js';
import { portIsFree } from '../docker/preflight.js';
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

  /**
   * Every check before anything starts or stops: the stack's (the Redis port), the runtime's (the docker
   * deployer's preflight: network, keys, its port, its image) and the Redis image (there or pulled) when Redis must
   * start. Then Redis (kept when current), then the runtime through the docker deployer with those checks' result, which honours `restore` (no build) and `versions` (retention). The compose file is written only once
   * the runtime is healthy, so after a failure the file on disk is still the previous version's. A Redis container
   * this apply started goes again when the runtime fails; the one it replaced is brought back.
   */
  async apply(ctx: DeployContext): Promise<TargetState> {
    const redisNeeded = needsRedis(ctx.deploy);
    const keepRedis = redisNeeded && (await this.redis.isCurrent(this.redisId(ctx), ctx.state?.fingerprints.redis, this.redisOptions()));
    const startsRedis = redisNeeded && !keepRedis;
    await this.preflight(ctx, startsRedis);
    const runtime = await this.inner.preflight(ctx, this.runtimeExtras(ctx));
    if (startsRedis) await this.redis.requireImage(this.redisOptions().image, ctx.progress);
    let redis: RedisServiceState | undefined;
    let state: TargetState;
    try {
      // Redis first and healthy: the runtime connects to it at start-up
      redis = redisNeeded ? await this.redis.ensure(ctx, this.redisOptions()) : undefined;
      state = await this.inner.apply(ctx, this.runtimeExtras(ctx), runtime);
    } catch (error) {
      // a Redis this apply (re)started, or failed to (its image missing, never healthy), gives way to the previous one
      const redisBack = startsRedis ? await this.restoreRedis(ctx, error) : undefined;
      throw this.asStackFailure(ctx, error, redisBack);
    }
    // the previous version's Redis goes only once the version without it serves
    if (!redisNeeded && this.redisId(ctx) !== undefined) await this.redis.remove(ctx);
    const text = this.yaml(ctx, state);
    await writeFile(join(ctx.workdir, COMPOSE_FILE_NAME), text);
    const { redis_container: _id, redis_image: _image, redis_port: _port, ...ids } = state.ids;
    const { redis: _oldRedis, compose_file: _file, ...fingerprints } = state.fingerprints;
    const options = this.redisOptions();
    return {
      ...state,
      kind: 'docker-compose',
      ids: { ...ids, ...(redis ? { redis_container: redis.id, redis_image: options.image, redis_port: options.port } : {}) },
      fingerprints: { ...fingerprints, ...(redis ? { redis: redis.fingerprint } : {}), compose_file: fingerprint(text) },
    };
  }

  /** The runtime's drift, the Redis container's (gone, stopped, replaced, another image) and a hand-edited compose file. */
  async diff(ctx: DeployContext): Promise<DriftItem[]> {
    if (!ctx.state) return [];
    return [...(await this.inner.diff(ctx, this.runtimeExtras(ctx))), ...(await this.redisDrift(ctx, ctx.state)), ...(await this.fileDrift(ctx, ctx.state))];
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

  /**
   * The failure as operations.ts records it: when the runtime was restarted (`details.restored_state`) or the previous
   * Redis started again (a new container id), the state handed back is the stack's, with its Redis id and file fingerprint.
   */
  private asStackFailure(ctx: DeployContext, error: unknown, redisId: string | undefined): unknown {
    if (!isAgentSpecError(error) || !ctx.state) return error;
    const restored = error.details.restored_state as TargetState | undefined;
    if (restored === undefined && redisId === undefined) return error;
    const base = restored ?? ctx.state;
    error.details.restored_state = {
      ...base,
      kind: 'docker-compose',
      ids: { ...ctx.state.ids, ...base.ids, ...(redisId === undefined ? {} : { redis_container: redisId }) },
      fingerprints: { ...ctx.state.fingerprints, ...base.fingerprints },
    };
    return error;
  }

  /** The stack's own check before anything is stopped or started (the runtime's preflight resolves the secrets): the Redis port is free or ours. */
  private async preflight(ctx: DeployContext, startsRedis: boolean): Promise<void> {
    // the probe binds on this host: meaningless for a remote engine
    if (!startsRedis || this.options.docker?.host !== undefined) return;
    const port = this.redisOptions().port;
    if (await portIsFree('127.0.0.1', port)) return;
    // held by the target's own Redis, which this apply replaces: that one is ours
    const own = await this.redis.status(this.redisId(ctx));
    if (own.detail.running === true && Number(ctx.state?.ids.redis_port ?? port) === port) return;
    throw new AgentSpecError(
      ErrorCode.DeployError,
      `Port ${port} on 127.0.0.1, where the Redis service of deploy "${ctx.deploy.name}" listens, is in use by another program: ` +
        'stop it or set another Redis port (deployer option redisPort); nothing was started or stopped.',
      { details: { deploy: ctx.deploy.name, port, host: '127.0.0.1' } },
    );
  }

  /**
   * After a failed apply: removes the Redis container this apply started and, when it replaced one with another image
   * or port, starts the previous one again (its sessions are gone: Redis keeps none on disk) and returns its id.
   */
  private async restoreRedis(ctx: DeployContext, error: unknown): Promise<string | undefined> {
    const { state: previous, ...withoutState } = ctx;
    const image = previous?.ids.redis_image;
    const port = previous?.ids.redis_port;
    const changed = previous?.fingerprints.redis !== undefined && previous.fingerprints.redis !== RedisService.fingerprint(this.redisOptions());
    try {
      if (!changed) {
        await this.redis.remove(withoutState);
        return undefined;
      }
      if (image === undefined || port === undefined) throw new Error('the previous Redis image and port are not recorded');
      ctx.progress('bringing the previous Redis service back');
      return (await this.redis.ensure(withoutState, { ...this.redisOptions(), image: String(image), port: Number(port) })).id;
    } catch (cause) {
      const message = error instanceof Error ? error.message : String(error);
      throw new AgentSpecError(ErrorCode.DeployError, `${message} The previous Redis service could not be brought back; apply again.`, {
        cause,
        details: { ...(isAgentSpecError(error) ? error.details : {}), previous_restored: false },
      });
    }
  }

  private async redisDrift(ctx: DeployContext, state: TargetState): Promise<DriftItem[]> {
    const recorded = this.redisId(ctx);
    if (recorded === undefined) return [];
    const expectedImage = String(state.ids.redis_image ?? this.redisOptions().image);
    let found = await this.redis.status(recorded);
    const items: DriftItem[] = [];
    if (found.detail.image === undefined) {
      // gone: run again by hand (docker-compose up, docker run) under the stack's name, or not at all
      found = await this.redis.status(`${containerBase(ctx)}-redis`);
      const actual = found.detail.image === undefined ? 'missing' : `replaced by container ${String(found.detail.container)}`;
      items.push({ resource: 'container redis', expected: `container ${recorded.slice(0, 12)}`, actual });
      if (found.detail.image === undefined) return items;
    }
    if (found.detail.running !== true) items.push({ resource: 'container redis', expected: 'running', actual: 'stopped' });
    if (found.detail.image !== expectedImage) items.push({ resource: 'container redis image', expected: expectedImage, actual: String(found.detail.image) });
    return items;
  }

  private async fileDrift(ctx: DeployContext, state: TargetState): Promise<DriftItem[]> {
    const written = state.fingerprints.compose_file;
    if (written === undefined) return [];
    const text = await readFile(join(ctx.workdir, COMPOSE_FILE_NAME), 'utf8').catch(() => undefined);
    const expected = `${COMPOSE_FILE_NAME} as apply wrote it (sha256 ${written.slice(0, 12)})`;
    if (text === undefined) return [{ resource: 'compose-file', expected, actual: 'missing' }];
    const now = fingerprint(text);
    return now === written ? [] : [{ resource: 'compose-file', expected, actual: `edited by hand (sha256 ${now.slice(0, 12)})` }];
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

  /** The file for the state apply produced: its image and the network the runtime got (`ids.network`: `host` or the bridge's name). */
  private yaml(ctx: DeployContext, state: TargetState): string {
    const network = state.ids.network;
    return composeYaml({
      ir: ctx.ir,
      deploy: ctx.deploy,
      image: String(state.ids.tag ?? ''),
      ...(network === undefined ? {} : { network: network === 'host' ? 'host' : 'bridge' }),
      ...(this.options.redisImage ? { redisImage: this.options.redisImage } : {}),
      ...(this.options.redisPort ? { redisPort: this.options.redisPort } : {}),
    });
  }
}
