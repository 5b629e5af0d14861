/**
 * The docker-compose target with the Redis session service (`replicas 2`),
 * on the real engine: apply starts Redis (healthy first) and the runtime with
 * `REDIS_URL`, a session (and a run, read from the runtime that replaced
 * the one that recorded it) outlives a runtime replacement, a rollback and a
 * failed apply; what can be checked (the Redis image, the runtime's port) is
 * refused before any container starts, as the engine's events show; diff
 * sees a stopped Redis and a hand-edited compose file; destroy removes both
 * containers. Redis runs from an offline image made from this machine's
 * redis-server (no registry); the runtime answers through the fake Anthropic
 * server.
 */
import { appendFile, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { dirname, join } from 'node:path';
import Docker from 'dockerode';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EnvSecretResolver } from '../../shared/secrets/env-resolver.js';
import {
  applyDeploy,
  destroyDeploy,
  diffDeploy,
  logsDeploy,
  planDeploy,
  rollbackDeploy,
  statusDeploy,
  type PackageOperation,
} from '../../local/deploy/operations.js';
import type { DeployerOptions } from '../../local/deploy/deployers.js';
import { COMPOSE_FILE_NAME } from '../../local/deploy/compose/index.js';
import type { TargetState } from '../../local/deploy/types.js';
import { startFakeAnthropic, type FakeAnthropic } from '../helpers/fake-anthropic/index.js';
import { ensureBaseImage, ensureRedisImage, requireDocker, TEST_BASE_IMAGE } from '../helpers/docker.js';
import { freePort, writePackage } from './helpers/deploy-package.js';

// per process: containers are named after the package, so two runs of this suite at once must not share one
const PACKAGE = `deploytest-compose-redis-${process.pid}`;
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
  let runId = '';
  let first: { container: string; redis: string; image: string; tag: string };
  let current: TargetState;

  const writeVersion = (promptText?: string, dir?: string, extraLines: string[] = []) =>
    writePackage(
      {
        name: PACKAGE,
        target: 'docker-compose',
        port,
        ...(promptText ? { promptText } : {}),
        deployLines: [`base_image "${TEST_BASE_IMAGE}"`, 'replicas 2', ...extraLines],
      },
      dir,
    );
  const composeFile = () => readFile(join(dirname(file), COMPOSE_FILE_NAME), 'utf8');
  const drift = async () => (await diffDeploy({ dir: dirname(file), deployer }))[0]?.drift;
  const stackContainers = async () =>
    docker.listContainers({ all: true, filters: { label: [`dev.agentspec.package=${PACKAGE}`, 'dev.agentspec.target=main'] } });
  const api = async (path: string, body?: unknown) => {
    const response = await fetch(`http://127.0.0.1:${port}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, runId: response.headers.get('x-run-id') ?? '', body: (await response.json()) as Record<string, unknown> };
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
    first = {
      container: String(result.state.ids.container),
      redis: String(result.state.ids.redis_container),
      image: String(result.state.ids.image),
      tag: String(result.state.ids.tag),
    };
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
    runId = answer.runId;
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

  it('replaces the runtime but not Redis on a changed package, and the session and the run the old runtime recorded survive', async () => {
    // Prepare
    await writeVersion('You answer in one word.', dirname(file));
    // Act
    const result = await applyDeploy(op);
    const session = await api(`/v1/agents/echo/sessions/${sessionId}`);
    const run = await api(`/v1/runs/${runId}`);
    // Assess
    expect(result.changed).toBe(true);
    expect(result.state.ids.container).not.toBe(first.container);
    expect(result.state.ids.redis_container).toBe(first.redis);
    expect(session.status).toBe(200);
    expect(JSON.stringify(session.body)).toContain('remember me');
    expect(runId).not.toBe('');
    expect(run.status).toBe(200);
    expect(run.body).toMatchObject({ run_id: runId, kind: 'session', target: 'echo', status: 'succeeded', session_id: sessionId });
    current = result.state;
  });

  it('rolls back to the first version without a build, keeping Redis and the session, and rewrites the compose file', async () => {
    // Prepare
    const progress: string[] = [];
    const replaced = String(current.ids.tag);
    // Act
    const result = await rollbackDeploy({ dir: dirname(file), deployer, secretResolvers: op.secretResolvers ?? {}, progress: (m) => progress.push(m) });
    const session = await api(`/v1/agents/echo/sessions/${sessionId}`);
    // Assess
    expect(result.rollback_of).toBe(1);
    expect(result.state.ids.image).toBe(first.image);
    expect(result.state.ids.redis_container).toBe(first.redis);
    expect(progress.filter((m) => /building image|^Step /.test(m))).toEqual([]);
    expect(session.status).toBe(200);
    expect(JSON.stringify(session.body)).toContain('remember me');
    const written = await composeFile();
    expect(written).toContain(`image: ${first.tag}`);
    expect(written).not.toContain(replaced);
    current = result.state;
  });

  it('fails an apply whose runtime never gets healthy, with Redis, its session, the previous runtime and the compose file as they were', async () => {
    // Prepare
    const before = await composeFile();
    // 8 MiB of memory: the runtime is killed before it can answer
    await writeVersion('A version that never gets healthy.', dirname(file), ['resources {', '  memory "8Mi"', '}']);
    // Act
    const failed = applyDeploy({ ...op, deployer: { ...deployer, healthTimeoutMs: 8_000 } });
    // Assess
    await expect(failed).rejects.toMatchObject({ code: 'deploy_error' });
    const [status] = await statusDeploy({ dir: dirname(file), deployer });
    const session = await api(`/v1/agents/echo/sessions/${sessionId}`);
    expect(status?.healthy).toBe(true);
    expect(status?.version).toBe(current.ir_hash);
    expect((await docker.getContainer(first.redis).inspect()).State.Running).toBe(true);
    expect(JSON.stringify(session.body)).toContain('remember me');
    expect(await composeFile()).toBe(before);
    expect((await stackContainers()).map((c) => c.Labels['dev.agentspec.service'] ?? 'runtime').sort()).toEqual(['redis', 'runtime']);
  });

  it('refuses an apply whose Redis image is missing before anything changes: the same Redis and runtime, never restarted, still recorded', async () => {
    // Prepare: the stack's containers as they run now, with their start times
    const before = await composeFile();
    const started = async () =>
      Promise.all((await stackContainers()).map(async (c) => `${c.Id} ${(await docker.getContainer(c.Id).inspect()).State.StartedAt}`));
    const running = (await started()).sort();
    const missing = 'agentspec-test/redis:missing';
    // Act
    const failed = applyDeploy({ ...op, deployer: { ...deployer, redisImage: missing } });
    // Assess
    await expect(failed).rejects.toMatchObject({ code: 'deploy_error', message: expect.stringContaining(`Redis image ${missing}`) });
    const state = (JSON.parse(await readFile(join(dirname(file), '.agentspec.state.json'), 'utf8')) as { targets: Record<string, TargetState> }).targets.main;
    const [status] = await statusDeploy({ dir: dirname(file), deployer });
    expect((await started()).sort()).toEqual(running);
    expect(state?.in_progress).toBeUndefined();
    expect(state?.ids.redis_container).toBe(first.redis);
    expect(status?.healthy).toBe(true);
    expect(status?.version).toBe(current.ir_hash);
    expect(await composeFile()).toBe(before);
  });

  it('reports no drift on the stack as applied', async () => {
    expect(await drift()).toEqual([]);
  });

  it('reports a stopped Redis container as drift', async () => {
    // Prepare
    await docker.getContainer(first.redis).stop({ t: 1 });
    // Act
    const items = await drift();
    // Assess
    expect(items).toContainEqual({ resource: 'container redis', expected: 'running', actual: 'stopped' });
    await docker.getContainer(first.redis).start();
  });

  it('reports a hand-edited compose file as drift of compose-file', async () => {
    // Prepare
    await appendFile(join(dirname(file), COMPOSE_FILE_NAME), '# edited by hand\n');
    // Act
    const items = await drift();
    // Assess
    expect(items).toContainEqual(expect.objectContaining({ resource: 'compose-file', actual: expect.stringMatching(/^edited by hand/) }));
  });

  it('includes the Redis container in the logs', async () => {
    const lines: string[] = [];
    for await (const line of logsDeploy({ dir: dirname(file), deployer })) lines.push(line);
    expect(lines.some((l) => l.startsWith('[redis] ') && /Ready to accept connections/i.test(l))).toBe(true);
  });

  it('reports a removed Redis container as missing, and one made by hand under its name as a replacement', async () => {
    // Prepare
    const expected = `container ${first.redis.slice(0, 12)}`;
    await docker.getContainer(first.redis).remove({ force: true });
    // Act
    const removed = await drift();
    const byHand = await docker.createContainer({
      name: `agentspec-${PACKAGE}-main-redis`,
      Image: redisImage,
      Cmd: ['redis-server'],
      HostConfig: { NetworkMode: 'host' },
    });
    const replaced = await drift().finally(() => byHand.remove({ force: true }));
    // Assess
    expect(removed).toContainEqual({ resource: 'container redis', expected, actual: 'missing' });
    expect(replaced).toContainEqual({ resource: 'container redis', expected, actual: `replaced by container ${byHand.id.slice(0, 12)}` });
  });

  it('destroys both containers', async () => {
    await destroyDeploy({ dir: dirname(file), deployer: { ...deployer, removeImages: true } });
    expect(await stackContainers()).toEqual([]);
  });
});

describe('a docker-compose stack whose first apply fails', { timeout: 180_000 }, () => {
  const name = `deploytest-compose-first-fail-${process.pid}`;
  const docker = new Docker();
  let fake: FakeAnthropic;
  let file: string;
  let port: number;
  let op: PackageOperation;
  let blocker: Server | undefined;

  const labelled = async () => docker.listContainers({ all: true, filters: { label: [`dev.agentspec.package=${name}`] } });
  const targets = async () => {
    const text = await readFile(join(dirname(file), '.agentspec.state.json'), 'utf8').catch(() => '{"targets":{}}');
    return Object.keys((JSON.parse(text) as { targets: Record<string, unknown> }).targets);
  };
  /** The engine's clock as its events API reads it (seconds, fractional). */
  const engineNow = () => Date.now() / 1000;
  /** The services (`redis` or `runtime`) of the containers the engine created with the package's labels since `since`. */
  const created = async (since: number): Promise<string[]> => {
    const stream = await docker.getEvents({
      since,
      until: engineNow(),
      filters: { type: ['container'], event: ['create'], label: [`dev.agentspec.package=${name}`] },
    });
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
    return Buffer.concat(chunks)
      .toString('utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => (JSON.parse(line) as { Actor: { Attributes: Record<string, string> } }).Actor.Attributes['dev.agentspec.service'] ?? 'runtime');
  };
  const occupy = async (at: number) => {
    blocker = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => blocker?.listen(at, '127.0.0.1', resolve));
  };

  beforeAll(async () => {
    requireDocker();
    const [, redisImage] = await Promise.all([ensureBaseImage(), ensureRedisImage()]);
    fake = await startFakeAnthropic();
    port = await freePort();
    file = await writePackage({ name, target: 'docker-compose', port, deployLines: [`base_image "${TEST_BASE_IMAGE}"`, 'replicas 2'] });
    op = {
      file,
      deployer: { env: { ANTHROPIC_BASE_URL: fake.url }, redisImage, redisPort: await freePort() },
      secretResolvers: { env: new EnvSecretResolver({ AGENTSPEC_TEST_ANTHROPIC_KEY: SECRET }) },
    };
  }, 120_000);

  afterEach(async () => {
    await new Promise((resolve) => (blocker ? blocker.close(resolve) : resolve(undefined)));
    blocker = undefined;
  });

  afterAll(async () => {
    for (const c of await labelled())
      await docker
        .getContainer(c.Id)
        .remove({ force: true })
        .catch(() => undefined);
    await fake?.close();
    await rm(dirname(file), { recursive: true, force: true });
  });

  it('refuses a Redis port another program holds before it starts anything', async () => {
    // Prepare
    await occupy(op.deployer?.redisPort ?? 0);
    const progress: string[] = [];
    // Act
    const failed = applyDeploy({ ...op, progress: (m) => progress.push(m) });
    // Assess
    await expect(failed).rejects.toMatchObject({ code: 'deploy_error', message: expect.stringContaining(`Port ${op.deployer?.redisPort}`) });
    expect(progress).toEqual([]);
    expect(await labelled()).toEqual([]);
    expect(await targets()).toEqual([]);
  });

  it('refuses a Redis image that is missing before any container starts', async () => {
    // Prepare
    const missing = 'agentspec-test/redis:missing';
    const since = engineNow();
    // Act
    const failed = applyDeploy({ ...op, deployer: { ...op.deployer, redisImage: missing } });
    // Assess
    await expect(failed).rejects.toMatchObject({ code: 'deploy_error', message: expect.stringContaining(`Redis image ${missing}`) });
    expect(await created(since)).toEqual([]);
    expect(await labelled()).toEqual([]);
    expect(await targets()).toEqual([]);
  });

  it('refuses a runtime port another program holds before Redis starts: the engine created no container', async () => {
    // Prepare
    await occupy(port);
    const since = engineNow();
    // Act
    const failed = applyDeploy(op);
    // Assess
    await expect(failed).rejects.toMatchObject({ code: 'deploy_error', message: expect.stringContaining(`Port ${port}`) });
    expect(await created(since)).toEqual([]);
    expect(await labelled()).toEqual([]);
    expect(await targets()).toEqual([]);
  });

  it('removes the Redis container it started when the runtime never gets healthy: no containers with the package labels, no compose file, no target', async () => {
    // Prepare: 8 MiB of memory, the runtime is killed before it can answer
    await writePackage(
      { name, target: 'docker-compose', port, deployLines: [`base_image "${TEST_BASE_IMAGE}"`, 'replicas 2', 'resources {', '  memory "8Mi"', '}'] },
      dirname(file),
    );
    const since = engineNow();
    // Act
    const failed = applyDeploy({ ...op, deployer: { ...op.deployer, healthTimeoutMs: 8_000 } });
    // Assess: Redis was started first (the engine created it) and is gone again
    await expect(failed).rejects.toMatchObject({ code: 'deploy_error' });
    expect(await created(since)).toContain('redis');
    expect(await labelled()).toEqual([]);
    await expect(readFile(join(dirname(file), COMPOSE_FILE_NAME), 'utf8')).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await targets()).toEqual([]);
  });
});
