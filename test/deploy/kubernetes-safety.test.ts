/**
 * The kubernetes target's safety against the recording API server: API keys
 * generated once and printed once (never in the state), a named api_keys
 * secret, pre-flight checks that stop apply before its first change and show
 * in `plan`, a failed rollout that puts the previous version back, and
 * `logs --follow` across replicas, including one that appears later.
 */
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EnvSecretResolver } from '../../shared/secrets/env-resolver.js';
import { isAgentSpecError } from '../../shared/errors.js';
import { applyDeploy, destroyDeploy, logsDeploy, planDeploy, statusDeploy, type PackageOperation } from '../../local/deploy/operations.js';
import { readState } from '../../local/deploy/state-file.js';
import { pinnedImage, useK8sRecordingServer } from '../helpers/k8s-recording-server.js';
import { compile } from '../../shared/lang/index.js';
import { findResource } from '../../shared/ir/types.js';
import { apiKeysFromEnv } from '../../shared/http/auth.js';
import { buildManifests, type Manifest } from '../../local/deploy/kubernetes/manifests.js';
import { freePort, writePackage, type PackageOptions } from './helpers/deploy-package.js';

const k8s = useK8sRecordingServer();

interface PackageSetup {
  /** the variables env(...) secrets read; the Anthropic key's by default */
  env?: Record<string, string>;
  extraSource?: string;
  namespace?: string;
}

/** A package named `name` (namespace "safety" unless set) in its own directory. */
async function pkg(name: string, deployLines: string[], setup: PackageSetup = {}) {
  const lines = (more: string[]) => [`namespace "${setup.namespace ?? 'safety'}"`, ...more];
  const options: PackageOptions = {
    target: 'kubernetes',
    port: 8080,
    name,
    deployLines: lines(deployLines),
    ...(setup.extraSource ? { extraSource: setup.extraSource } : {}),
  };
  const file = await writePackage(options);
  k8s.dirs.push(dirname(file));
  const progress: string[] = [];
  const op: PackageOperation = {
    file,
    deployer: { kubeconfig: k8s.kubeconfig, pollIntervalMs: 10, rolloutTimeoutMs: 5000 },
    secretResolvers: { env: new EnvSecretResolver(setup.env ?? { AGENTSPEC_TEST_ANTHROPIC_KEY: 'sk-ant-test' }) },
    progress: (message) => progress.push(message),
  };
  const rewrite = (more: string[], changed: Partial<PackageOptions>) => writePackage({ ...options, deployLines: lines(more), ...changed }, dirname(file));
  return { op, progress, dir: dirname(file), rewrite };
}

const TEAM_KEYS = 'secret "team-keys" { env(TEAM_KEYS) }\n';

const changes = (from: number) => k8s.api.requests.slice(from).filter((r) => r.method === 'PATCH' || r.method === 'DELETE');
const stored = (key: string) => k8s.api.objects.get(key) as unknown as { data?: Record<string, string>; spec?: Record<string, unknown> } | undefined;
const image = (key: string) =>
  (stored(key)?.spec as { template: { spec: { containers: { image: string }[] } } } | undefined)?.template.spec.containers[0]?.image;

async function filesUnder(dir: string): Promise<string> {
  const names = await readdir(dir, { recursive: true, withFileTypes: true });
  const texts = await Promise.all(names.filter((e) => e.isFile()).map((e) => readFile(join(e.parentPath, e.name), 'utf8')));
  return texts.join('\n');
}

describe('kubernetes API keys', () => {
  it('generates a key on the first apply, prints it once, keeps it in the cluster only, and keeps it on the next apply', async () => {
    // Prepare
    const { op, progress, dir, rewrite } = await pkg('keys', [`image "${pinnedImage('keys')}"`]);
    // Act
    await applyDeploy(op);
    const printed = progress.filter((m) => m.includes('printed this once'));
    await rewrite([`image "${pinnedImage('keys')}"`], { promptText: 'A new prompt.' });
    const before = k8s.api.requests.length;
    const plan = await planDeploy(op);
    await applyDeploy(op);
    // Assess
    const key = /: (ask_[\w-]+)$/.exec(printed[0] ?? '')?.[1] ?? '';
    expect(printed).toHaveLength(1);
    expect(key).toMatch(/^ask_[\w-]{43}$/);
    const secret = stored('Secret/safety/keys-main-api-keys');
    expect(Buffer.from(secret?.data?.AGENTSPEC_API_KEYS ?? '', 'base64').toString()).toBe(key);
    expect(progress.filter((m) => m.includes('printed this once'))).toHaveLength(1);
    expect(changes(before).some((r) => r.path.endsWith('/secrets/keys-main-api-keys'))).toBe(false);
    expect(plan.items.find((i) => i.resource === 'Secret/keys-main-api-keys')?.reason).toBe('keeps the generated API key already in the cluster');
    expect(await filesUnder(dir)).not.toContain(key);
  });

  it('puts the named api_keys secret in the keys Secret', async () => {
    const { op } = await pkg('named', [`image "${pinnedImage('named')}"`, 'api_keys "team-keys"'], {
      env: { AGENTSPEC_TEST_ANTHROPIC_KEY: 'sk-ant-test', TEAM_KEYS: 'k-one,k-two' },
      extraSource: TEAM_KEYS,
    });
    const result = await applyDeploy(op);
    const secret = stored('Secret/safety/named-main-api-keys');
    expect(Buffer.from(secret?.data?.AGENTSPEC_API_KEYS ?? '', 'base64').toString()).toBe('k-one,k-two');
    expect(JSON.stringify(result.state)).not.toContain('k-one');
  });
});

describe('kubernetes pre-flight', () => {
  it('changes nothing when a secret does not resolve or the api_keys secret holds no key, and names both', async () => {
    // Prepare: the Anthropic key's variable unset, the keys' variable naming no key
    const { op } = await pkg('unresolved', [`image "${pinnedImage('u')}"`, 'api_keys "team-keys"'], { env: { TEAM_KEYS: ' , ' }, extraSource: TEAM_KEYS });
    const before = k8s.api.requests.length;
    const error = await applyDeploy(op).catch((e: unknown) => e);
    expect(isAgentSpecError(error) && error.code).toBe('config_error');
    expect((error as Error).message).toMatch(/Nothing was changed/);
    expect((error as Error).message).toMatch(/secret "anthropic-key" \(ANTHROPIC_API_KEY\) does not resolve/);
    expect((error as Error).message).toMatch(/api_keys secret "team-keys" holds no key/);
    expect(changes(before)).toEqual([]);
  });

  it('refuses a registry pull secret the namespace names but does not have, and plan says so with its other findings', async () => {
    // Prepare: the default ServiceAccount of another namespace names a pull secret that is missing
    k8s.api.objects.set('ServiceAccount/pulls/default', {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: 'default', namespace: 'pulls' },
      imagePullSecrets: [{ name: 'registry-creds' }],
    } as never);
    const { op } = await pkg('pulls', [`image "${pinnedImage('p')}"`, 'auth "none"', 'autoscale {', '  min 1', '  max 3', '}'], { namespace: 'pulls' });
    // Act
    const before = k8s.api.requests.length;
    const plan = await planDeploy(op);
    const error = await applyDeploy(op).catch((e: unknown) => e);
    // Assess
    const reason = (resource: string) => plan.items.find((i) => i.resource === resource)?.reason ?? '';
    expect(reason('Deployment/pulls-main')).toContain('image pull secret "registry-creds"');
    expect(reason('Deployment/pulls-main')).toContain('WITHOUT authentication');
    expect(reason('HorizontalPodAutoscaler/pulls-main')).toMatch(/warning: no cpu request/);
    expect(plan.items.some((i) => i.resource.endsWith('-api-keys'))).toBe(false);
    expect((error as Error).message).toContain('registry-creds');
    expect(changes(before)).toEqual([]);
  });
});

describe('kubernetes without a cluster', () => {
  it('plans that it could not compare (naming the API server) instead of claiming "create", and applies nothing', async () => {
    // Prepare: a k8s.kubeconfig naming a port nobody listens on
    const closed = await freePort();
    const config = join(dirname(k8s.kubeconfig), 'closed');
    await writeFile(config, (await readFile(k8s.kubeconfig, 'utf8')).replace(k8s.api.url, `http://127.0.0.1:${closed}`));
    const { op } = await pkg('offline', [`image "${pinnedImage('o')}"`]);
    op.deployer = { kubeconfig: config };
    // Act
    const plan = await planDeploy(op);
    const error = await applyDeploy(op).catch((e: unknown) => e);
    // Assess
    expect(plan.items).toEqual([
      {
        resource: 'cluster',
        action: 'update',
        reason: expect.stringMatching(new RegExp(`^could not compare with the cluster: the API server http://127\\.0\\.0\\.1:${closed} did not answer`)),
      },
    ]);
    expect(isAgentSpecError(error) && error.code).toBe('config_error');
    expect((error as Error).message).toMatch(
      new RegExp(`Nothing was changed.*\\n.*cluster: error: the API server http://127\\.0\\.0\\.1:${closed} did not answer`),
    );
  });
});

describe('the documented kubernetes block', () => {
  it('gives its pods API keys from the keys Secret, so the runtime on 0.0.0.0 starts instead of crash-looping', async () => {
    // Prepare: the first fragment of docs/deploying.md, as the docs suite compiles it
    const doc = await readFile(join(import.meta.dirname, '../../docs/deploying.md'), 'utf8');
    const fragment = /<!-- fragment -->\n```ias\n([\s\S]*?)```/.exec(doc)?.[1] ?? '';
    const { ir } = compile(`package "support" version "1.2.0" lang "2.0"\n${fragment}`, { file: 'deploying.md' });
    const deploy = ir && findResource(ir, 'Deploy', 'prod');
    // Act
    const manifests = buildManifests({ ir: ir!, deploy: deploy!, image: deploy!.attributes.image!, secrets: { ANTHROPIC_API_KEY: 'x' }, apiKeys: 'ask_k' });
    // Assess: the container's environment, with each secretKeyRef looked up in the Secrets applied beside it
    const secrets = new Map(manifests.filter((m) => m.kind === 'Secret').map((m) => [m.metadata.name, m.stringData as Record<string, string>]));
    const pod = manifests.find((m: Manifest) => m.kind === 'Deployment' && m.metadata.name === 'support-prod') as unknown as {
      spec: { template: { spec: { containers: { env: { name: string; value?: string; valueFrom?: { secretKeyRef: { name: string; key: string } } }[] }[] } } };
    };
    const env = Object.fromEntries(
      (pod.spec.template.spec.containers[0]?.env ?? []).map((e) => [
        e.name,
        e.value ?? secrets.get(e.valueFrom?.secretKeyRef.name ?? '')?.[e.valueFrom?.secretKeyRef.key ?? ''],
      ]),
    );
    expect(env.HOST).toBe('0.0.0.0');
    expect(apiKeysFromEnv(env)).toEqual(['ask_k']);
    expect(env.REDIS_URL).toBe('redis://support-prod-redis.agents.svc:6379');
  });
});

describe('kubernetes failed apply', () => {
  it('puts the previous Deployment back, keeps its IR ConfigMap and state, and stays healthy', async () => {
    // Prepare: a good version
    const { op, dir, rewrite } = await pkg('rollback', [`image "${pinnedImage('rb')}"`]);
    const good = await applyDeploy(op);
    await rewrite([`image "${pinnedImage('missing')}"`], { promptText: 'Broken.' });
    k8s.api.failing = true;
    // Act
    const error = await applyDeploy(op).catch((e: unknown) => e);
    k8s.api.failing = false;
    k8s.api.rolloutPolls = 0;
    const [status] = await statusDeploy({ dir, deployer: { kubeconfig: k8s.kubeconfig } });
    k8s.api.rolloutPolls = 2;
    // Assess
    expect((error as Error).message).toMatch(/ImagePullBackOff.*put back and keeps serving/);
    expect(image('Deployment/safety/rollback-main')).toBe(pinnedImage('rb'));
    expect(k8s.api.objects.has(`ConfigMap/safety/rollback-main-ir-${good.state.ir_hash.slice(0, 12)}`)).toBe(true);
    const state = (await readState(dir)).targets.main;
    expect(state?.ir_hash).toBe(good.state.ir_hash);
    expect(state?.fingerprints).toEqual(good.state.fingerprints);
    expect(status?.healthy).toBe(true);
    expect(status?.version).toBe(good.state.ir_hash);
  });
});

describe('kubernetes logs --follow', () => {
  it('follows every runtime pod with its name as prefix, including a replica that appears later, until aborted', async () => {
    // Prepare
    const { op, dir } = await pkg('follow', [`image "${pinnedImage('f')}"`, 'replicas 2']);
    await applyDeploy(op);
    const controller = new AbortController();
    const lines: string[] = [];
    let seen: (() => void) | undefined;
    let want = (_: string[]) => false;
    const until = (predicate: (l: string[]) => boolean) =>
      new Promise<void>((resolve) => {
        want = predicate;
        seen = resolve;
        if (predicate(lines)) resolve();
      });
    // Act
    const reading = (async () => {
      for await (const line of logsDeploy({ dir, follow: true, signal: controller.signal, deployer: { kubeconfig: k8s.kubeconfig } })) {
        lines.push(line);
        if (want(lines)) seen?.();
      }
    })();
    await until((l) => l.includes('follow-main-abc12 {"msg":"serving from follow-main-abc12"}'));
    await k8s.api.followers(1);
    k8s.api.addPod('safety', 'follow-main-x7k2p', {
      'app.kubernetes.io/name': 'follow-main',
      'app.kubernetes.io/managed-by': 'agentspec',
      'agentspec.dev/package': 'follow',
      'agentspec.dev/target': 'main',
    });
    await until((l) => l.some((x) => x.startsWith('follow-main-x7k2p ')));
    k8s.api.logLine('follow-main-abc12', '{"msg":"request 1"}');
    k8s.api.logLine('follow-main-x7k2p', '{"msg":"request 2"}');
    await until((l) => l.includes('follow-main-abc12 {"msg":"request 1"}') && l.includes('follow-main-x7k2p {"msg":"request 2"}'));
    controller.abort();
    await reading;
    // Assess
    expect(lines.some((l) => l.includes('redis'))).toBe(false);
    expect(lines).toEqual(
      expect.arrayContaining([
        'follow-main-abc12 {"msg":"serving from follow-main-abc12"}',
        'follow-main-x7k2p {"msg":"serving from follow-main-x7k2p"}',
        'follow-main-abc12 {"msg":"request 1"}',
        'follow-main-x7k2p {"msg":"request 2"}',
      ]),
    );
    const follows = k8s.api.requests.filter((r) => r.path.endsWith('/log') && r.query.get('follow') === 'true');
    expect(follows.map((r) => r.path.split('/')[6]).sort()).toEqual(['follow-main-abc12', 'follow-main-x7k2p']);
    await destroyDeploy({ dir, deployer: { kubeconfig: k8s.kubeconfig } });
  });
});
