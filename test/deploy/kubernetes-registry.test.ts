/**
 * The kubernetes target's image against a real registry (Debian's
 * docker-registry with htpasswd auth) and the Docker engine, with the
 * recording API server as the cluster: apply builds, pushes and pins the
 * Deployment to the registry's digest, a second apply pushes nothing, wrong
 * credentials stop before the cluster is touched, the Docker config's
 * credentials work too, and a rollback runs the recorded digest without
 * building (or fails naming it once the registry lost it).
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EnvSecretResolver } from '../../shared/secrets/env-resolver.js';
import { isAgentSpecError } from '../../shared/errors.js';
import { execFileSync } from 'node:child_process';
import { applyDeploy, historyDeploy, rollbackDeploy, type PackageOperation } from '../../local/deploy/operations.js';
import { KubernetesDeployer } from '../../local/deploy/kubernetes/index.js';
import { loadPackage } from '../../local/package/load-package.js';
import { selectDeploy } from '../../local/deploy/select-target.js';
import { ensureBaseImage, requireDocker } from '../helpers/docker.js';
import { startK8sRecordingServer, type K8sRecordingServer } from '../helpers/k8s-recording-server.js';
import { startRegistry, type TestRegistry } from '../helpers/registry.js';
import { writePackage, type PackageOptions } from './helpers/deploy-package.js';

const USER = 'pusher';
const PASSWORD = 'right-horse-battery';
const REGISTRY_SECRET = 'secret "registry" { env(TEST_REGISTRY_LOGIN) }\n';

let api: K8sRecordingServer;
let kubeconfig: string;
let registry: TestRegistry;
let base: string;
const dirs: string[] = [];

beforeAll(async () => {
  requireDocker();
  base = await ensureBaseImage();
  registry = await startRegistry({ users: { [USER]: PASSWORD } });
  api = await startK8sRecordingServer();
  kubeconfig = await api.kubeconfig();
}, 120_000);

afterAll(async () => {
  // the images the suite built and tagged for its registry, which goes with it
  if (registry) {
    const tags = execFileSync('docker', ['images', '--format', '{{.Repository}}:{{.Tag}}'], { encoding: 'utf8' })
      .split('\n')
      .filter((tag) => tag.startsWith(`${registry.host}/`));
    if (tags.length > 0) execFileSync('docker', ['rmi', '--no-prune', ...tags], { stdio: 'pipe' });
  }
  await api?.close();
  await registry?.close();
  for (const dir of [...dirs, ...(kubeconfig ? [dirname(kubeconfig)] : [])]) await rm(dir, { recursive: true, force: true });
});

/** A package pushing to `<registry>/<repository>`, logging in with `login` through registry_auth (none: the Docker config). */
async function pkg(name: string, repository: string, login: string | undefined, more: Partial<PackageOptions> = {}) {
  const lines = (extra: string[]) => [
    'namespace "pushed"',
    `image "${registry.host}/${repository}"`,
    `base_image "${base}"`,
    ...(login === undefined ? [] : ['registry_auth "registry"']),
    ...extra,
  ];
  const options: PackageOptions = { target: 'kubernetes', port: 8080, name, deployLines: lines([]), extraSource: REGISTRY_SECRET, ...more };
  const file = await writePackage(options);
  dirs.push(dirname(file));
  const progress: string[] = [];
  const resolvers = { env: new EnvSecretResolver({ AGENTSPEC_TEST_ANTHROPIC_KEY: 'test-model-key', TEST_REGISTRY_LOGIN: login ?? 'unused:unused' }) };
  const op: PackageOperation = {
    file,
    deployer: { kubeconfig, pollIntervalMs: 10, rolloutTimeoutMs: 5000 },
    secretResolvers: resolvers,
    progress: (message) => progress.push(message),
  };
  const rewrite = (extra: string[], changed: Partial<PackageOptions> = {}) =>
    writePackage({ ...options, deployLines: lines(extra), ...changed }, dirname(file));
  return { op, progress, dir: dirname(file), rewrite, resolvers };
}

type Pod = { spec: { template: { spec: { imagePullSecrets?: { name: string }[]; containers: { image: string }[] } } } };
const deployment = (name: string) => api.objects.get(`Deployment/pushed/${name}`) as unknown as Pod | undefined;

describe('kubernetes image build and push', () => {
  it('pushes the image, pins the Deployment to the registry digest, and pulls with a dockerconfigjson Secret', async () => {
    // Prepare
    const { op, progress, dir } = await pkg('pushed', 'team/agent:v1', `${USER}:${PASSWORD}`);
    // Act
    const result = await applyDeploy(op);
    // Assess: the pinned reference is the registry's own digest of the content-hash tag and of the extra tag
    const ref = String(result.state.ids.image_ref);
    const hashTag = String(result.state.ids.tag).split(':').pop() ?? '';
    const digest = await registry.digestOf('team/agent', hashTag);
    expect(digest).toMatch(/^sha256:[a-f0-9]{64}$/);
    expect(ref).toBe(`${registry.host}/team/agent@${digest}`);
    expect(await registry.digestOf('team/agent', 'v1')).toBe(digest);
    expect(deployment('pushed-main')?.spec.template.spec.containers[0]?.image).toBe(ref);
    expect(deployment('pushed-main')?.spec.template.spec.imagePullSecrets).toEqual([{ name: 'pushed-main-registry' }]);
    const pull = api.objects.get('Secret/pushed/pushed-main-registry') as unknown as { type: string; data: Record<string, string> };
    expect(pull.type).toBe('kubernetes.io/dockerconfigjson');
    const config = JSON.parse(Buffer.from(pull.data['.dockerconfigjson'] ?? '', 'base64').toString()) as { auths: Record<string, { username: string }> };
    expect(config.auths[registry.host]?.username).toBe(USER);
    // the password reaches the cluster's Secret only: not the state, the progress lines
    expect(await readFile(join(dir, '.agentspec.state.json'), 'utf8')).not.toContain(PASSWORD);
    expect(progress.join('\n')).not.toContain(PASSWORD);
    expect(progress.some((line) => line.startsWith(`pushing ${registry.host}/team/agent:`))).toBe(true);
  }, 180_000);

  it('builds and pushes nothing when the registry has the content hash already', async () => {
    // Prepare: the package applied once, then applied again from a state directory that does not know it
    const { op, progress } = await pkg('again', 'team/again', `${USER}:${PASSWORD}`);
    const first = await applyDeploy(op);
    const fresh = await mkdtemp(join(tmpdir(), 'agentspec-state-'));
    dirs.push(fresh);
    progress.length = 0;
    // Act
    const second = await applyDeploy({ ...op, dir: fresh });
    // Assess
    expect(second.changed).toBe(true);
    expect(second.state.ids.image_ref).toBe(first.state.ids.image_ref);
    expect(progress.some((line) => /is in the registry already/.test(line))).toBe(true);
    expect(progress.some((line) => line.startsWith('pushing ') || line.startsWith('building image'))).toBe(false);
  }, 180_000);

  it('stops before any Kubernetes request when the registry refuses the credentials, naming the registry and not the password', async () => {
    // Prepare
    const wrong = 'wrong-horse-battery';
    const { op } = await pkg('refused', 'team/refused', `${USER}:${wrong}`);
    const before = api.requests.length;
    // Act
    const error = await applyDeploy(op).catch((e: unknown) => e);
    // Assess
    expect(isAgentSpecError(error) && error.code).toBe('config_error');
    expect((error as Error).message).toContain(`The registry ${registry.host} refused the credentials from registry_auth "registry"`);
    expect(JSON.stringify({ message: (error as Error).message, details: (error as { details?: unknown }).details })).not.toContain(wrong);
    expect(api.requests.slice(before).filter((r) => r.method !== 'GET')).toEqual([]);
  }, 60_000);

  it('pushes with the Docker config credentials when the package names no registry_auth', async () => {
    // Prepare: DOCKER_CONFIG pointing at a config.json with an auths entry for the registry
    const configDir = await mkdtemp(join(tmpdir(), 'agentspec-docker-config-'));
    dirs.push(configDir);
    const auth = Buffer.from(`${USER}:${PASSWORD}`).toString('base64');
    await writeFile(join(configDir, 'config.json'), JSON.stringify({ auths: { [registry.host]: { auth } } }));
    const { op } = await pkg('configured', 'team/configured', undefined);
    const saved = process.env.DOCKER_CONFIG;
    process.env.DOCKER_CONFIG = configDir;
    try {
      // Act
      const result = await applyDeploy(op);
      // Assess
      const digest = await registry.digestOf('team/configured', String(result.state.ids.tag).split(':').pop() ?? '');
      expect(result.state.ids.image_ref).toBe(`${registry.host}/team/configured@${digest}`);
      expect(deployment('configured-main')?.spec.template.spec.imagePullSecrets).toEqual([{ name: 'configured-main-registry' }]);
    } finally {
      if (saved === undefined) delete process.env.DOCKER_CONFIG;
      else process.env.DOCKER_CONFIG = saved;
    }
  }, 180_000);
});

describe('kubernetes rollback', () => {
  it('runs the recorded digest without building or pushing, and fails naming it once the registry lost it', async () => {
    // Prepare: two versions (the second changes the prompt, so a new image)
    const { op, progress, dir, rewrite, resolvers } = await pkg('rolled', 'team/rolled', `${USER}:${PASSWORD}`);
    const v1 = await applyDeploy(op);
    await rewrite([], { promptText: 'A second version.' });
    const v2 = await applyDeploy(op);
    expect(v2.state.ids.image_ref).not.toBe(v1.state.ids.image_ref);
    progress.length = 0;
    const rollback = { dir, deployer: op.deployer ?? {}, secretResolvers: resolvers, progress: (m: string) => progress.push(m) };
    // Act
    const back = await rollbackDeploy(rollback);
    // Assess
    expect(back.state.ids.image_ref).toBe(v1.state.ids.image_ref);
    expect(deployment('rolled-main')?.spec.template.spec.containers[0]?.image).toBe(v1.state.ids.image_ref);
    expect(progress.some((line) => line.startsWith('pushing ') || line.startsWith('building image'))).toBe(false);

    // Act: the registry loses version 2's manifest, then a rollback to it
    const [history] = await historyDeploy({ dir });
    const ref = String(v2.state.ids.image_ref);
    await registry.deleteManifest('team/rolled', ref.split('@')[1] ?? '');
    const before = api.requests.length;
    const error = await rollbackDeploy({ ...rollback, to: history?.versions.find((v) => v.state.ids.image_ref === ref)?.version ?? 2 }).catch(
      (e: unknown) => e,
    );
    // Assess
    expect(isAgentSpecError(error) && error.code).toBe('deploy_error');
    expect((error as Error).message).toContain(`The image ${ref} of the version to go back to is no longer in the registry`);
    expect(api.requests.slice(before).filter((r) => r.method !== 'GET')).toEqual([]);
    expect(deployment('rolled-main')?.spec.template.spec.containers[0]?.image).toBe(v1.state.ids.image_ref);
  }, 240_000);
});

describe('kubernetes retained versions', () => {
  it('removes the local build tag of a version leaving the history, and keeps the ones still kept', async () => {
    // Prepare: one applied version, and a local tag standing for an older version that leaves the history
    const { op, dir } = await pkg('retained', 'team/retained', `${USER}:${PASSWORD}`);
    const current = (await applyDeploy(op)).state;
    const leaving = `${registry.host}/team/retained:leaving`;
    execFileSync('docker', ['tag', base, leaving]);
    const { ir } = await loadPackage(op.file);
    const exists = (tag: string) => {
      try {
        execFileSync('docker', ['image', 'inspect', tag], { stdio: 'pipe' });
        return true;
      } catch {
        return false;
      }
    };
    const deployer = new KubernetesDeployer({ kubeconfig, pollIntervalMs: 10, rolloutTimeoutMs: 5000 });
    // Act: a rollback-style apply of the current version (no build) with that older version dropped
    await deployer.apply({
      ir,
      deploy: selectDeploy(ir),
      state: current,
      restore: current,
      versions: { keep: [current], drop: [{ ...current, ids: { ...current.ids, tag: leaving } }] },
      secret: (name) => Promise.resolve(name === 'registry' ? `${USER}:${PASSWORD}` : 'test-model-key'),
      progress: () => undefined,
      workdir: dir,
    });
    // Assess
    expect(exists(leaving)).toBe(false);
    expect(exists(String(current.ids.tag))).toBe(true);
  }, 180_000);
});
