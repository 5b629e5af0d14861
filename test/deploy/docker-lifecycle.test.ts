/**
 * The docker target's lifecycle on the real engine, driven through the
 * deployer: checks that refuse before anything is built (a bridge network
 * the engine lacks, a port held by something else), a new version that fails
 * at start leaving the old container serving (probed on the health path its
 * version recorded, whatever path the failing one asks for), rollback running the recorded
 * image without a build, image retention, and drift after a container is
 * stopped or removed by hand. This engine has no bridge network, so the
 * running containers use host networking.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleRuntime } from '../../local/deploy/bundle-runtime.js';
import { DockerDeployer } from '../../local/deploy/docker/index.js';
import type { DeployContext, RetainedVersions, TargetState } from '../../local/deploy/types.js';
import { loadPackage } from '../../local/package/load-package.js';
import { isAgentSpecError } from '../../shared/errors.js';
import { findResource } from '../../shared/ir/types.js';
import { ensureBaseImage, requireDocker, TEST_BASE_IMAGE } from '../helpers/docker.js';
import { startFakeAnthropic, type FakeAnthropic } from '../helpers/fake-anthropic/index.js';
import { freePort, packageSource, writePackage } from './helpers/deploy-package.js';

const PACKAGE = 'lifecycledocker';
const docker = (...args: string[]): string => execFileSync('docker', args, { encoding: 'utf8', stdio: 'pipe' }).trim();
const imageExists = (id: string): boolean => {
  try {
    docker('image', 'inspect', id);
    return true;
  } catch {
    return false;
  }
};
const ourImages = () => docker('image', 'ls', '-q', '--no-trunc', '--filter', `label=dev.agentspec.package=${PACKAGE}`);

let fake: FakeAnthropic;
let dir: string;
let port: number;
let bundles = 0;
let deployer: DockerDeployer;
const shown: string[] = [];

/** A context for the package as written now, with the state and history given. */
async function context(extra: { state?: TargetState; restore?: TargetState; versions?: RetainedVersions } = {}): Promise<DeployContext> {
  const { ir } = await loadPackage(join(dir, 'agents.ias'));
  const deploy = findResource(ir, 'Deploy', 'main');
  if (!deploy) throw new Error('no deploy block');
  shown.length = 0;
  return {
    ir,
    deploy,
    secret: (name) => (name === 'anthropic-key' ? Promise.resolve('sk-test-lifecycle') : Promise.reject(new Error(`no secret ${name}`))),
    progress: (message) => shown.push(message),
    workdir: dir,
    ...extra,
  };
}

const write = (prompt: string, lines: string[] = [], packagePort = port) =>
  writePackage({ name: PACKAGE, target: 'docker', port: packagePort, promptText: prompt, deployLines: [`base_image "${TEST_BASE_IMAGE}"`, ...lines] }, dir);
const healthy = (): Promise<number> => fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.status);
const built = () => shown.some((line) => line.startsWith('building image'));
const rejection = (promise: Promise<unknown>): Promise<unknown> =>
  promise.then(
    () => undefined,
    (error: unknown) => error,
  );

beforeAll(async () => {
  requireDocker();
  await ensureBaseImage();
  fake = await startFakeAnthropic();
  fake.respond(() => ({ text: 'pong' }));
  port = await freePort();
  dir = await mkdtemp(join(tmpdir(), 'agentspec-docker-lifecycle-'));
  deployer = new DockerDeployer({
    bundle: () => {
      bundles += 1;
      return bundleRuntime();
    },
    env: { ANTHROPIC_BASE_URL: fake.url },
    healthTimeoutMs: 30_000,
    stopGraceSeconds: 2,
  });
}, 300_000);

afterAll(async () => {
  for (const id of docker('ps', '-aq', '--filter', `label=dev.agentspec.package=${PACKAGE}`).split('\n').filter(Boolean)) docker('rm', '-f', id);
  for (const id of ourImages().split('\n').filter(Boolean)) {
    try {
      docker('rmi', '--no-prune', id);
    } catch {
      // already gone
    }
  }
  if (dir) await rm(dir, { recursive: true, force: true });
  await fake?.close();
});

describe('docker lifecycle', { timeout: 240_000 }, () => {
  let first: TargetState;
  let second: TargetState;
  let rolled: TargetState;

  it('refuses an explicit bridge network on an engine without one, before building', async () => {
    // Prepare: this machine's engine runs with --bridge=none
    expect(docker('network', 'ls', '--format', '{{.Name}}').split('\n')).not.toContain('bridge');
    await write('You answer briefly.', ['network "bridge"']);
    const images = ourImages();
    // Act
    const error = await rejection(deployer.apply(await context()));
    // Assess
    expect(isAgentSpecError(error) && error.code).toBe('config_error');
    expect(String(error)).toContain('has no bridge network');
    expect(built()).toBe(false);
    expect(ourImages()).toBe(images);
  });

  it('refuses a port another program listens on, naming it, before building', async () => {
    // Prepare
    const taken = await freePort();
    const listener: Server = createServer();
    await new Promise<void>((resolve) => listener.listen(taken, '127.0.0.1', resolve));
    await write('You answer briefly.', [], taken);
    // Act
    const error = await rejection(deployer.apply(await context()));
    await new Promise((resolve) => listener.close(resolve));
    // Assess
    expect(isAgentSpecError(error) && error.code).toBe('deploy_error');
    expect(String(error)).toContain(`Port ${taken}`);
    expect(built()).toBe(false);
  });

  it('applies a first version on host networking and says why', async () => {
    await write('You answer briefly.');
    first = await deployer.apply(await context());
    expect(shown).toContain('network: host (the engine has no bridge network (dockerd --bridge=none), so host networking)');
    expect(first.ids.network).toBe('host');
    expect(first.ids.health_path).toBe('/healthz');
    expect(await healthy()).toBe(200);
  });

  it('keeps the old container serving when the new version fails at start, and names the cause', async () => {
    // Prepare: the serve entry refuses Redis sessions without a Redis URL
    const source = packageSource({ name: PACKAGE, target: 'docker', port, promptText: 'Broken.', deployLines: [`base_image "${TEST_BASE_IMAGE}"`] });
    await writeFile(join(dir, 'agents.ias'), source.replace('LOG_LEVEL "info"', 'LOG_LEVEL "info"\n    AGENTSPEC_SESSIONS "redis"'));
    // Act
    const error = await rejection(deployer.apply(await context({ state: first })));
    // Assess: the cause with the new container's last lines, the same old container answering again, nothing new left
    expect(isAgentSpecError(error) && error.details.previous_restored).toBe(true);
    expect(String(error)).toContain('The new container exited');
    expect(String(error)).toMatch(/Last log lines of the new container:\n[^]*REDIS_URL/);
    expect(docker('inspect', '-f', '{{.State.Running}} {{.Name}}', String(first.ids.container))).toBe(`true /agentspec-${PACKAGE}-main`);
    expect(docker('ps', '-aq', '--no-trunc', '--filter', `label=dev.agentspec.package=${PACKAGE}`)).toBe(String(first.ids.container));
    expect(await healthy()).toBe(200);
  });

  it('restores the previous container on its own health path when the failing version changes the path', async () => {
    // Prepare: a version that exits at start and moves its health check to /ready, which the first version does not serve
    const source = packageSource({
      name: PACKAGE,
      target: 'docker',
      port,
      promptText: 'Broken on another path.',
      deployLines: [`base_image "${TEST_BASE_IMAGE}"`, 'health {', '  path "/ready"', '}'],
    });
    await writeFile(join(dir, 'agents.ias'), source.replace('LOG_LEVEL "info"', 'LOG_LEVEL "info"\n    AGENTSPEC_SESSIONS "redis"'));
    const deploy = (await context()).deploy;
    expect(deploy.attributes.health?.path).toBe('/ready');
    // Act
    const error = await rejection(deployer.apply(await context({ state: first })));
    // Assess: the previous container was probed on /healthz, the path its version recorded, and serves again
    expect(isAgentSpecError(error) && error.details.previous_restored).toBe(true);
    expect(String(error)).toContain('The previous version is serving again.');
    expect(docker('inspect', '-f', '{{.State.Running}} {{.Name}}', String(first.ids.container))).toBe(`true /agentspec-${PACKAGE}-main`);
    expect(await healthy()).toBe(200);
  });

  it('rolls back by running the recorded image, without bundling or building', async () => {
    // Prepare: a second version replaces the first
    await write('You answer in one word.');
    second = await deployer.apply(await context({ state: first, versions: { keep: [first], drop: [] } }));
    expect(second.ids.image).not.toBe(first.ids.image);
    await write('You answer briefly.');
    const bundlesBefore = bundles;
    // Act
    rolled = await deployer.apply(await context({ state: second, restore: first, versions: { keep: [second, first], drop: [] } }));
    // Assess
    expect(rolled.ids.image).toBe(first.ids.image);
    expect(rolled.ir_hash).toBe(first.ir_hash);
    expect(built()).toBe(false);
    expect(bundles).toBe(bundlesBefore);
    expect(await healthy()).toBe(200);
    expect(imageExists(String(second.ids.image))).toBe(true);
  });

  it('refuses a rollback whose image is gone, naming it, and leaves the current version serving', async () => {
    const gone: TargetState = { ...first, ids: { ...first.ids, image: 'sha256:0000000000000000000000000000000000000000000000000000000000000000' } };
    const error = await rejection(deployer.apply(await context({ state: rolled, restore: { ...gone, ir_hash: second.ir_hash } })));
    expect(String(error)).toMatch(/image of version .* is no longer on this Docker engine/);
    expect(String(error)).toContain('sha256:0000');
    expect(await healthy()).toBe(200);
  });

  it('removes the image of a version leaving the history, never one still kept', async () => {
    // Act: a third version; the second leaves the history, the first (run by the rollback) stays
    await write('You answer in two words.');
    const third = await deployer.apply(await context({ state: rolled, versions: { keep: [rolled, first], drop: [second] } }));
    // Assess
    expect(imageExists(String(second.ids.image))).toBe(false);
    expect(imageExists(String(first.ids.image))).toBe(true);
    expect(imageExists(String(third.ids.image))).toBe(true);
    rolled = third;
  });

  it('reports drift when the container is stopped by hand, and when it is removed', async () => {
    // Prepare
    const id = String(rolled.ids.container);
    expect(await deployer.diff(await context({ state: rolled }))).toEqual([]);
    // Act + Assess: stopped
    docker('stop', '-t', '1', id);
    const stopped = await deployer.diff(await context({ state: rolled }));
    expect(stopped).toContainEqual(expect.objectContaining({ resource: `container ${id.slice(0, 12)}`, expected: 'running' }));
    // removed
    docker('rm', '-f', id);
    const removed = await deployer.diff(await context({ state: rolled }));
    expect(removed).toEqual([{ resource: `container ${id.slice(0, 12)}`, expected: 'present', actual: 'missing' }]);
  });

  it('destroy --remove-images removes the images of every kept version', async () => {
    const remover = new DockerDeployer({ bundle: () => bundleRuntime(), removeImages: true, stopGraceSeconds: 1 });
    await remover.destroy(await context({ state: rolled, versions: { keep: [rolled, first], drop: [] } }));
    expect(imageExists(String(first.ids.image))).toBe(false);
    expect(imageExists(String(rolled.ids.image))).toBe(false);
  });
});
