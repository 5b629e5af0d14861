/**
 * The written compose file under a real Compose CLI, Debian's
 * `docker-compose` (the Python 1.29 line): `config` accepts the file for each
 * shape of deploy block and normalises it to the services and env expected,
 * with secrets taken from the environment or an env file (never from the
 * file); and the by-hand commands of docs/deploying.md run the stack that
 * `agentspec apply` wrote: Redis healthy first, then the runtime, which
 * answers through the fake model, until `down` removes both.
 */
import { execFile } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import Docker from 'dockerode';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMPOSE_FILE_NAME, composeYaml } from '../../local/deploy/compose/index.js';
import { applyDeploy, destroyDeploy } from '../../local/deploy/operations.js';
import { waitHealthy } from '../../local/deploy/health.js';
import { loadPackage } from '../../local/package/load-package.js';
import { selectDeploy } from '../../local/deploy/select-target.js';
import { EnvSecretResolver } from '../../shared/secrets/env-resolver.js';
import { blocksOf, commandsOf } from '../docs/markdown.js';
import { startFakeAnthropic, type FakeAnthropic } from '../helpers/fake-anthropic/index.js';
import { ensureBaseImage, ensureRedisImage, requireDocker, TEST_BASE_IMAGE } from '../helpers/docker.js';
import { requireCommand } from '../helpers/require-system.js';
import { freePort, packageSource, writePackage, type PackageOptions } from './helpers/deploy-package.js';

const SECRET = 'sk-test-compose-cli-5f02a9';
const IMAGE = 'agentspec/deploytest:0123456789ab';

interface Service {
  image: string;
  network_mode: string;
  environment: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck: { test: string[] };
  deploy?: { resources: { limits: Record<string, unknown> } };
  command?: string[];
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `docker-compose` with `args` in `cwd`, with only PATH, HOME and `env` in its environment. */
function compose(cwd: string, args: string[], env: Record<string, string> = {}): Promise<Run> {
  return shell(cwd, ['docker-compose', ...args].join(' '), env);
}

function shell(cwd: string, command: string, env: Record<string, string> = {}): Promise<Run> {
  const base = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/' };
  return new Promise((done) => {
    execFile('sh', ['-c', command], { cwd, env: { ...base, ...env }, timeout: 120_000 }, (error, stdout, stderr) => {
      done({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

/** Writes the compose file the deployer writes for a package with these deploy lines; returns its directory. */
async function writtenFile(options: Omit<PackageOptions, 'target'>, network?: 'bridge' | 'host'): Promise<{ dir: string; text: string }> {
  const file = await writePackage({ target: 'docker-compose', ...options });
  const { ir } = await loadPackage(file);
  const deploy = selectDeploy(ir);
  const text = composeYaml({ ir, deploy, image: IMAGE, ...(network ? { network } : {}) });
  await writeFile(join(dirname(file), COMPOSE_FILE_NAME), text);
  return { dir: dirname(file), text };
}

/** `docker-compose config` of the written file: its normalised services. */
async function normalised(dir: string, env: Record<string, string> = { ANTHROPIC_API_KEY: SECRET }): Promise<Record<string, Service>> {
  const run = await compose(dir, ['-f', COMPOSE_FILE_NAME, 'config'], env);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return (parse(run.stdout) as { services: Record<string, Service> }).services;
}

describe('the compose file under docker-compose config', { timeout: 60_000 }, () => {
  const dirs: string[] = [];
  const written = async (options: Omit<PackageOptions, 'target'>, network?: 'bridge' | 'host') => {
    const out = await writtenFile(options, network);
    dirs.push(out.dir);
    return out;
  };

  beforeAll(() => {
    requireCommand('docker-compose');
  });

  afterAll(async () => {
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it('accepts the runtime service alone: host networking, the block env, the secret from the environment', async () => {
    // Prepare
    const { dir, text } = await written({ port: 8181 });
    // Act
    const services = await normalised(dir);
    // Assess
    expect(Object.keys(services)).toEqual(['runtime']);
    expect(services.runtime).toMatchObject({ image: IMAGE, network_mode: 'host' });
    expect(services.runtime?.environment).toEqual({ LOG_LEVEL: 'info', HOST: '127.0.0.1', PORT: '8181', ANTHROPIC_API_KEY: SECRET });
    expect(services.runtime?.depends_on).toBeUndefined();
    expect(text).not.toContain(SECRET);
  });

  it('accepts the stack with Redis for replicas > 1 and for sessions "redis": Redis healthy before the runtime', async () => {
    for (const line of ['replicas 2', 'sessions "redis"']) {
      // Prepare
      const { dir } = await written({ port: 8182, deployLines: [line] });
      // Act
      const services = await normalised(dir);
      // Assess
      expect(Object.keys(services).sort()).toEqual(['redis', 'runtime']);
      expect(services.runtime?.depends_on).toEqual({ redis: { condition: 'service_healthy' } });
      expect(services.runtime?.environment).toMatchObject({ REDIS_URL: 'redis://127.0.0.1:6379', AGENTSPEC_SESSIONS: 'redis' });
      expect(services.redis).toMatchObject({ network_mode: 'host', healthcheck: { test: ['CMD', 'redis-cli', '-p', '6379', 'ping'] } });
      // `--appendonly no` stays the string "no" for a YAML 1.1 reader
      expect(services.redis?.command?.slice(-2)).toEqual(['--appendonly', 'no']);
    }
  });

  it('accepts the resources as deploy limits, which docker-compose 1.29 applies to the container', async () => {
    const { dir } = await written({ port: 8183, deployLines: ['resources {', '  cpu "500m"', '  memory "512Mi"', '}'] });
    const services = await normalised(dir);
    expect(services.runtime?.deploy).toEqual({ resources: { limits: { cpus: 0.5, memory: '512M' } } });
  });

  it('listens on the block host and port directly (host networking publishes no ports), and probes that port', async () => {
    const { dir } = await written({ port: 9191, deployLines: ['host "0.0.0.0"'] });
    const services = await normalised(dir);
    expect(services.runtime?.environment).toMatchObject({ HOST: '0.0.0.0', PORT: '9191' });
    expect(services.runtime).not.toHaveProperty('ports');
    expect(services.runtime?.healthcheck.test.join(' ')).toContain('http://127.0.0.1:9191/healthz');
  });

  it('accepts bridge networking: the port published on loopback only, runtime and Redis on the stack network', async () => {
    // Prepare
    const { dir } = await written({ port: 8185, deployLines: ['sessions "redis"'] }, 'bridge');
    // Act
    const run = await compose(dir, ['-f', COMPOSE_FILE_NAME, 'config'], { ANTHROPIC_API_KEY: SECRET });
    const doc = parse(run.stdout) as { services: Record<string, Service & { networks?: unknown; ports?: unknown[] }>; networks?: Record<string, unknown> };
    // Assess
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(doc.services.runtime).not.toHaveProperty('network_mode');
    expect(JSON.stringify(doc.services.runtime?.ports)).toMatch(/127\.0\.0\.1.*8185|8185.*127\.0\.0\.1/);
    expect(Object.keys(doc.services.runtime?.networks ?? {})).toEqual(['agentspec']);
    expect(Object.keys(doc.services.redis?.networks ?? {})).toEqual(['agentspec']);
    expect(doc.services.redis).not.toHaveProperty('ports');
    expect(doc.services.runtime?.environment).toMatchObject({ HOST: '0.0.0.0', AGENTSPEC_PUBLISHED_HOST: '127.0.0.1', REDIS_URL: 'redis://redis:6379' });
    expect(Object.keys(doc.networks ?? {})).toEqual(['agentspec']);
  });

  it('accepts host networking given explicitly: network_mode host, no ports', async () => {
    const { dir } = await written({ port: 8186 }, 'host');
    const services = await normalised(dir);
    expect(services.runtime).toMatchObject({ network_mode: 'host' });
    expect(services.runtime).not.toHaveProperty('ports');
  });

  it('takes the secret from an env file given with --env-file', async () => {
    // Prepare
    const { dir, text } = await written({ port: 8184, deployLines: ['sessions "redis"'] });
    await writeFile(join(dir, 'secrets.env'), `ANTHROPIC_API_KEY=${SECRET}\n`);
    // Act
    const run = await compose(dir, ['--env-file', 'secrets.env', '-f', COMPOSE_FILE_NAME, 'config']);
    // Assess
    expect(run.code).toBe(0);
    expect((parse(run.stdout) as { services: Record<string, Service> }).services.runtime?.environment.ANTHROPIC_API_KEY).toBe(SECRET);
    expect(text).not.toContain(SECRET);
  });

  it('refuses the file when a secret is set nowhere, naming the variable and the secret', async () => {
    const { dir } = await written({ port: 8185 });
    const run = await compose(dir, ['-f', COMPOSE_FILE_NAME, 'config', '--quiet']);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain('set ANTHROPIC_API_KEY (secret "anthropic-key")');
  });
});

/** The by-hand commands of the docs' compose section: the bash block whose every command is `docker-compose …`. */
function documentedCommands(): string[] {
  const blocks = blocksOf('docs/deploying.md').filter((b) => b.lang === 'bash');
  const commands = blocks.map((b) => commandsOf(b).map((c) => c.text)).find((list) => list.length > 0 && list.every((c) => c.startsWith('docker-compose ')));
  if (!commands) throw new Error('docs/deploying.md shows no bash block of docker-compose commands');
  return commands;
}

describe('the documented docker-compose commands on the file apply wrote', { timeout: 240_000 }, () => {
  const docker = new Docker();
  const env = { ANTHROPIC_API_KEY: SECRET };
  let fake: FakeAnthropic;
  let dir: string;
  let port: number;
  let redisPort: number;
  let tag = '';
  let commands: string[];
  const post = async (path: string, body: unknown) => {
    const response = await fetch(`http://127.0.0.1:${port}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const project = () => docker.listContainers({ all: true, filters: { label: [`com.docker.compose.project.working_dir=${dir}`] } });

  beforeAll(async () => {
    requireDocker();
    requireCommand('docker-compose');
    commands = documentedCommands();
    const [, redisImage] = await Promise.all([ensureBaseImage(), ensureRedisImage()]);
    fake = await startFakeAnthropic();
    fake.respond((_request, n) => ({ text: `pong ${n}` }));
    [port, redisPort] = [await freePort(), await freePort()];
    // the model URL is part of the block's env, so the written file carries it; `$` is a literal in a value
    const source = packageSource({
      target: 'docker-compose',
      port,
      name: 'deploytest-compose-cli',
      deployLines: [`base_image "${TEST_BASE_IMAGE}"`, 'sessions "redis"'],
    }).replace('LOG_LEVEL "info"', `LOG_LEVEL "info"\n    ANTHROPIC_BASE_URL "${fake.url}"\n    PRICE "costs $5"`);
    const file = await writePackage({ target: 'docker-compose', port });
    await writeFile(file, source);
    dir = dirname(file);
    const op = { file, deployer: { redisImage, redisPort }, secretResolvers: { env: new EnvSecretResolver({ AGENTSPEC_TEST_ANTHROPIC_KEY: SECRET }) } };
    // apply writes the file (and builds the image); destroy stops that stack, so compose can run the file on the same ports
    tag = String((await applyDeploy(op)).state.ids.tag);
    const text = await readFile(join(dir, COMPOSE_FILE_NAME), 'utf8');
    await destroyDeploy({ dir, deployer: op.deployer });
    await writeFile(join(dir, COMPOSE_FILE_NAME), text);
  }, 180_000);

  afterAll(async () => {
    if (dir) await compose(dir, ['-f', COMPOSE_FILE_NAME, 'down', '--timeout', '1'], env);
    if (tag)
      await docker
        .getImage(tag)
        .remove()
        .catch(() => undefined);
    await fake?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('runs the commands before `down`: Redis healthy, and the runtime answers an invocation through the fake model', async () => {
    // Act
    for (const command of commands.filter((c) => !/\bdown\b/.test(c))) {
      const run = await shell(dir, command, env);
      expect(run.code, `${command}\n${run.stderr}`).toBe(0);
    }
    await waitHealthy(`http://127.0.0.1:${port}/healthz`, { timeoutMs: 60_000 });
    const answer = await post('/v1/agents/echo/invoke', { message: 'ping' });
    // a session lives in Redis (AGENTSPEC_SESSIONS=redis): creating one needs the Redis service
    const session = await post('/v1/agents/echo/sessions', {});
    // Assess
    expect(answer.status).toBe(200);
    expect(String(answer.body.output)).toMatch(/^pong \d+$/);
    expect(session.status).toBe(201);
    expect(fake.requests.at(-1)?.apiKey).toBe(SECRET);
    const containers = await project();
    const byService = new Map(containers.map((c) => [c.Labels['com.docker.compose.service'], c]));
    expect([...byService.keys()].sort()).toEqual(['redis', 'runtime']);
    const redis = await docker.getContainer(byService.get('redis')?.Id ?? '').inspect();
    expect(redis.State.Health?.Status).toBe('healthy');
    const runtime = await docker.getContainer(byService.get('runtime')?.Id ?? '').inspect();
    expect(runtime.HostConfig.NetworkMode).toBe('host');
    expect(runtime.Config.Env).toEqual(expect.arrayContaining(['PRICE=costs $5', `REDIS_URL=redis://127.0.0.1:${redisPort}`, 'AGENTSPEC_SESSIONS=redis']));
  });

  it('removes both containers with `down`', async () => {
    for (const command of commands.filter((c) => /\bdown\b/.test(c))) {
      const run = await shell(dir, command, env);
      expect(run.code, `${command}\n${run.stderr}`).toBe(0);
    }
    expect(await project()).toEqual([]);
  });
});
