/**
 * The docker-compose target with the Redis session service, on the real
 * engine: apply starts Redis (healthy first) and the runtime with
 * `REDIS_URL`, a session outlives a runtime replacement, and destroy removes
 * both containers. Redis runs from an offline image made from this machine's
 * redis-server (no registry); the runtime answers through the fake Anthropic
 * server.
 */
import { readFile, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EnvSecretResolver } from '../../shared/secrets/env-resolver.js';
import { applyDeploy, destroyDeploy, logsDeploy, planDeploy, statusDeploy, type PackageOperation } from '../../local/deploy/operations.js';
import type { DeployerOptions } from '../../local/deploy/deployers.js';
import { COMPOSE_FILE_NAME } from '../../local/deploy/compose/index.js';
import { startFakeAnthropic, type FakeAnthropic } from '../helpers/fake-anthropic/index.js';
import { ensureBaseImage, ensureRedisImage, requireDocker, TEST_BASE_IMAGE } from '../helpers/docker.js';
import { freePort, writePackage } from './helpers/deploy-package.js';

const PACKAGE = 'deploytest-compose-redis';
const SECRET = 'sk-test-compose-redis-7d21e0';

describe('docker-compose target with the Redis session service', { timeout: 180_000 }, () => {
  const docker = new Docker();
  let fake: FakeAnthropic;
  let file: string;
  let port: number;
  let redisImage: string;
  let deployer: DeployerOptions;
  let op: PackageOperation;
  let sessionId = '';
  let first: { container: string; redis: string };

  const writeVersion = (promptText?: string, dir?: string) =>
    writePackage(
      {
        name: PACKAGE,
        target: 'docker-compose',
        port,
        ...(promptText ? { promptText } : {}),
        deployLines: [`base_image "${TEST_BASE_IMAGE}"`, 'sessions "redis"'],
      },
      dir,
    );
  const stackContainers = async () =>
    docker.listContainers({ all: true, filters: { label: [`dev.agentspec.package=${PACKAGE}`, 'dev.agentspec.target=main'] } });
  const api = async (path: string, body?: unknown) => {
    const response = await fetch(`http://127.0.0.1:${port}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  beforeAll(async () => {
    requireDocker();
    [, redisImage] = await Promise.all([ensureBaseImage(), ensureRedisImage()]);
    fake = await startFakeAnthropic();
    fake.respond((_request, n) => ({ text: `pong ${n}` }));
    port = await freePort();
    file = await writeVersion();
    deployer = { env: { ANTHROPIC_BASE_URL: fake.url }, redisImage, redisPort: await freePort() };
    op = { file, deployer, secretResolvers: { env: new EnvSecretResolver({ AGENTSPEC_TEST_ANTHROPIC_KEY: SECRET }) } };
  }, 120_000);

  afterAll(async () => {
    await destroyDeploy({ dir: dirname(file), deployer: { ...deployer, removeImages: true } }).catch(() => undefined);
    await fake?.close();
    await rm(dirname(file), { recursive: true, force: true });
  });

  it('plans the Redis container with the runtime', async () => {
    const plan = await planDeploy(op);
    expect(plan.items).toContainEqual({ resource: 'container redis', action: 'create' });
    expect(plan.items.every((i) => i.action === 'create')).toBe(true);
  });

  it('applies: Redis and the runtime both run, the runtime configured for Redis sessions', async () => {
    // Act
    const result = await applyDeploy(op);
    // Assess
    first = { container: String(result.state.ids.container), redis: String(result.state.ids.redis_container) };
    const containers = await stackContainers();
    expect(containers.map((c) => c.Labels['dev.agentspec.service'] ?? 'runtime').sort()).toEqual(['redis', 'runtime']);
    expect(containers.every((c) => c.State === 'running')).toBe(true);
    const redis = await docker.getContainer(first.redis).inspect();
    expect(redis.State.Health?.Status).toBe('healthy');
    expect(redis.Config.Image).toBe(redisImage);
    expect(redis.HostConfig.NetworkMode).toBe('host');
    const runtime = await docker.getContainer(first.container).inspect();
    expect(runtime.Config.Env).toContain(`REDIS_URL=redis://127.0.0.1:${deployer.redisPort}`);
    expect(runtime.Config.Env).toContain('AGENTSPEC_SESSIONS=redis');
    const written = await readFile(join(dirname(file), COMPOSE_FILE_NAME), 'utf8');
    expect(written).toContain(redisImage);
    expect(written).not.toContain(SECRET);
  });

  it('answers an invocation and keeps a session through the fake model', async () => {
    // Prepare
    const created = await api('/v1/agents/echo/sessions', {});
    sessionId = String(created.body.session_id);
    // Act
    const answer = await api(`/v1/agents/echo/sessions/${sessionId}`, { message: 'remember me' });
    // Assess
    expect(created.status).toBe(201);
    expect(answer.status).toBe(200);
    expect(String(answer.body.output)).toMatch(/^pong \d+$/);
    expect(fake.requests.at(-1)?.apiKey).toBe(SECRET);
  });

  it('reports the Redis container in status', async () => {
    const [status] = await statusDeploy({ dir: dirname(file), deployer });
    expect(status?.healthy).toBe(true);
    expect(status?.detail.redis).toMatchObject({ container: first.redis.slice(0, 12), running: true, docker_health: 'healthy' });
  });

  it('restarts nothing, Redis included, when applied again unchanged', async () => {
    const result = await applyDeploy(op);
    expect(result.changed).toBe(false);
    expect(result.state.ids.container).toBe(first.container);
    expect(result.state.ids.redis_container).toBe(first.redis);
  });

  it('replaces the runtime but not Redis on a changed package, and the session survives', async () => {
    // Prepare
    await writeVersion('You answer in one word.', dirname(file));
    // Act
    const result = await applyDeploy(op);
    const session = await api(`/v1/agents/echo/sessions/${sessionId}`);
    // Assess
    expect(result.changed).toBe(true);
    expect(result.state.ids.container).not.toBe(first.container);
    expect(result.state.ids.redis_container).toBe(first.redis);
    expect(session.status).toBe(200);
    expect(JSON.stringify(session.body)).toContain('remember me');
  });

  it('includes the Redis container in the logs', async () => {
    const lines: string[] = [];
    for await (const line of logsDeploy({ dir: dirname(file), deployer })) lines.push(line);
    expect(lines.some((l) => l.startsWith('[redis] ') && /Ready to accept connections/i.test(l))).toBe(true);
  });

  it('destroys both containers', async () => {
    await destroyDeploy({ dir: dirname(file), deployer: { ...deployer, removeImages: true } });
    expect(await stackContainers()).toEqual([]);
  });
});
