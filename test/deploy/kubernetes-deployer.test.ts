import { rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EnvSecretResolver } from '../../shared/secrets/env-resolver.js';
import { isAgentSpecError } from '../../shared/errors.js';
import { applyDeploy, destroyDeploy, dryRunDeploy, logsDeploy, planDeploy, statusDeploy, type PackageOperation } from '../../local/deploy/operations.js';
import { pinnedImage, startK8sRecordingServer, type K8sRecordingServer } from '../helpers/k8s-recording-server.js';
import { writePackage } from './helpers/deploy-package.js';

const SECRET = 'sk-k8s-secret-77d1';
let api: K8sRecordingServer;
let kubeconfig: string;
let op: PackageOperation;

async function newPackage(extra: string[] = []): Promise<PackageOperation> {
  const file = await writePackage({
    target: 'kubernetes',
    port: 8080,
    deployLines: [
      'namespace "agents"',
      'replicas 2',
      `image "${pinnedImage('deploytest')}"`,
      'autoscale {',
      '  min 2',
      '  max 5',
      '  metric "cpu"',
      '  target 70',
      '}',
      ...extra,
    ],
  });
  return {
    file,
    deployer: { kubeconfig, pollIntervalMs: 20, rolloutTimeoutMs: 5000 },
    secretResolvers: { env: new EnvSecretResolver({ AGENTSPEC_TEST_ANTHROPIC_KEY: SECRET }) },
  };
}

beforeAll(async () => {
  api = await startK8sRecordingServer();
  kubeconfig = await api.kubeconfig();
  op = await newPackage();
});

afterAll(async () => {
  await api.close();
  await rm(dirname(op.file), { recursive: true, force: true });
  await rm(dirname(kubeconfig), { recursive: true, force: true });
});

describe('kubernetes deployer against a recording API server', () => {
  it('server-side-applies every object with field manager agentspec and waits for the rollout', async () => {
    // Act
    const result = await applyDeploy(op);
    // Assess
    const patches = api.requests.filter((r) => r.method === 'PATCH');
    expect(patches.map((p) => `${String(p.body?.kind)}/${String((p.body?.metadata as { name: string }).name)}`)).toEqual([
      'Namespace/agents',
      `ConfigMap/deploytest-main-ir-${result.state.ir_hash.slice(0, 12)}`,
      'Secret/deploytest-main-secrets',
      'Secret/deploytest-main-api-keys',
      'Deployment/deploytest-main-redis',
      'Service/deploytest-main-redis',
      'NetworkPolicy/deploytest-main-redis',
      'Deployment/deploytest-main',
      'Service/deploytest-main',
      'HorizontalPodAutoscaler/deploytest-main',
    ]);
    for (const patch of patches) {
      expect(patch.contentType).toBe('application/apply-patch+yaml');
      expect(patch.query.get('fieldManager')).toBe('agentspec');
      expect(patch.query.get('force')).toBe('true');
    }
    const deploymentReads = api.requests.filter((r) => r.method === 'GET' && r.path === '/apis/apps/v1/namespaces/agents/deployments/deploytest-main');
    expect(deploymentReads.length).toBeGreaterThan(api.rolloutPolls);
    expect(result.state.endpoint).toBe('http://deploytest-main.agents.svc.cluster.local');
    expect(JSON.stringify(patches.find((p) => p.body?.kind === 'Secret')?.body)).toContain(SECRET);
  });

  it('plans unchanged after the apply and reports status from the cluster', async () => {
    const plan = await planDeploy(op);
    const [status] = await statusDeploy({ dir: dirname(op.file), deployer: { kubeconfig } });
    expect(plan.items.every((i) => i.action === 'unchanged')).toBe(true);
    expect(status?.healthy).toBe(true);
    expect(status?.detail.replicas).toBe(2);
  });

  it('reads logs from the pods', async () => {
    const lines: string[] = [];
    for await (const line of logsDeploy({ dir: dirname(op.file), deployer: { kubeconfig } })) lines.push(line);
    expect(lines).toEqual(['deploytest-main-abc12 {"msg":"serving from deploytest-main-abc12"}']);
  });

  it('fails a rollout with the pod reason when the image cannot be pulled', async () => {
    // Prepare
    api.failing = true;
    const changed = await newPackage();
    await writePackage(
      { target: 'kubernetes', port: 8080, promptText: 'changed', deployLines: ['namespace "agents"', 'replicas 2', `image "${pinnedImage('missing')}"`] },
      dirname(changed.file),
    );
    // Act
    const error = await applyDeploy(changed).catch((e: unknown) => e);
    api.failing = false;
    // Assess
    expect(isAgentSpecError(error) && error.code).toBe('deploy_error');
    expect(String((error as Error).message)).toMatch(/ImagePullBackOff.*registry\.example\.com\/missing@sha256:/);
    const next = await planDeploy(changed);
    expect(next.items.some((i) => i.action !== 'unchanged')).toBe(true);
    await rm(dirname(changed.file), { recursive: true, force: true });
  });

  it('plans and performs the deletion of an object the package dropped (the HPA without autoscale)', async () => {
    // Prepare: another package name, so its objects do not touch the ones above
    const shrinking = await newPackage();
    const dir = dirname(shrinking.file);
    const base = ['namespace "agents"', 'replicas 2', `image "${pinnedImage('deploytest')}"`];
    await writePackage(
      {
        target: 'kubernetes',
        port: 8080,
        name: 'shrinking',
        deployLines: [...base, 'autoscale {', '  min 2', '  max 5', '  metric "cpu"', '  target 70', '}'],
      },
      dir,
    );
    await applyDeploy(shrinking);
    await writePackage({ target: 'kubernetes', port: 8080, name: 'shrinking', deployLines: base }, dir);
    // Act
    const plan = await planDeploy(shrinking);
    await applyDeploy(shrinking);
    // Assess
    expect(plan.items).toContainEqual({ resource: 'HorizontalPodAutoscaler/shrinking-main', action: 'delete', reason: 'no longer in the package' });
    expect(api.requests.some((r) => r.method === 'DELETE' && r.path.endsWith('/horizontalpodautoscalers/shrinking-main'))).toBe(true);
    expect((await planDeploy(shrinking)).items.every((i) => i.action === 'unchanged')).toBe(true);
    await destroyDeploy({ dir, deployer: { kubeconfig } });
    await rm(dir, { recursive: true, force: true });
  });

  it('destroys by label and forgets the target', async () => {
    const before = api.requests.length;
    await destroyDeploy({ dir: dirname(op.file), deployer: { kubeconfig } });
    const calls = api.requests.slice(before);
    const lists = calls.filter((r) => r.method === 'GET' && r.query.get('labelSelector'));
    expect(lists.length).toBe(6);
    for (const list of lists) expect(list.query.get('labelSelector')).toContain('app.kubernetes.io/managed-by=agentspec');
    const deletes = calls.filter((r) => r.method === 'DELETE').map((r) => r.path.split('/').slice(-2).join('/'));
    const kinds = deletes.map((d) => d.split('/')[0]);
    expect([...new Set(kinds)]).toEqual(['horizontalpodautoscalers', 'networkpolicies', 'services', 'deployments', 'secrets', 'configmaps']);
    expect(deletes.filter((d) => !d.startsWith('configmaps/')).sort()).toEqual([
      'deployments/deploytest-main',
      'deployments/deploytest-main-redis',
      'horizontalpodautoscalers/deploytest-main',
      'networkpolicies/deploytest-main-redis',
      'secrets/deploytest-main-api-keys',
      'secrets/deploytest-main-secrets',
      'services/deploytest-main',
      'services/deploytest-main-redis',
    ]);
    // one IR ConfigMap per version applied (the failed apply above left its own), each deleted by label
    for (const configMap of deletes.filter((d) => d.startsWith('configmaps/'))) expect(configMap).toMatch(/^configmaps\/deploytest-main-ir-[0-9a-f]{12}$/);
    expect([...api.objects.keys()].filter((k) => k.includes('deploytest-main'))).toEqual([]);
    expect(await statusDeploy({ dir: dirname(op.file) })).toEqual([]);
  });

  it("puts a declared user's key in the deployment's Secret, read by the pod through secretKeyRef, and never in --dry-run", async () => {
    // Prepare
    const userKey = 'erin-test-user-key-6102';
    const file = await writePackage({
      target: 'kubernetes',
      name: 'userdeploy',
      port: 8080,
      deployLines: ['namespace "agents"', `image "${pinnedImage('userdeploy')}"`],
      extraSource: 'secret "erin-key" { env(AGENTSPEC_TEST_ERIN_KEY) }\nuser "erin" {\n  key secret("erin-key")\n}\n',
    });
    const userOp: PackageOperation = {
      ...op,
      file,
      secretResolvers: { env: new EnvSecretResolver({ AGENTSPEC_TEST_ANTHROPIC_KEY: SECRET, AGENTSPEC_TEST_ERIN_KEY: userKey }) },
    };
    try {
      // Act
      await applyDeploy(userOp);
      const yaml = await dryRunDeploy(userOp);
      // Assess
      const patches = api.requests.filter(
        (r) => r.method === 'PATCH' && String((r.body?.metadata as { name?: string } | undefined)?.name).startsWith('userdeploy-main'),
      );
      const secret = patches.find((p) => p.body?.kind === 'Secret' && (p.body.metadata as { name: string }).name === 'userdeploy-main-secrets')?.body;
      expect(secret?.stringData).toMatchObject({ 'erin-key': userKey });
      const deployment = patches.find((p) => p.body?.kind === 'Deployment' && (p.body.metadata as { name: string }).name === 'userdeploy-main')?.body;
      const env = (deployment as { spec: { template: { spec: { containers: { env: unknown[] }[] } } } }).spec.template.spec.containers[0]?.env;
      expect(env).toContainEqual({ name: 'erin-key', valueFrom: { secretKeyRef: { name: 'userdeploy-main-secrets', key: 'erin-key' } } });
      expect(JSON.stringify(deployment)).not.toContain(userKey);
      expect(yaml).toContain('erin-key');
      expect(yaml).not.toContain(userKey);
    } finally {
      await destroyDeploy({ dir: dirname(file), deployer: op.deployer! });
      await rm(dirname(file), { recursive: true, force: true });
    }
  });

  it('prints the manifests as YAML for --dry-run without secret values', async () => {
    const yaml = await dryRunDeploy(op);
    expect(yaml).toContain('kind: Deployment');
    expect(yaml).toContain('kind: HorizontalPodAutoscaler');
    expect(yaml).not.toContain(SECRET);
    expect(yaml).toContain(`image: ${pinnedImage('deploytest')}`);
  });

  it('shows in --dry-run that an image named without a digest is pinned to the digest apply pushes', async () => {
    const file = await writePackage({ target: 'kubernetes', port: 8080, deployLines: ['image "registry.example.com/team/agent:v1"'] });
    try {
      const yaml = await dryRunDeploy({ file });
      expect(yaml).toContain('image: registry.example.com/team/agent@sha256:<digest of the image apply pushes>');
    } finally {
      await rm(dirname(file), { recursive: true, force: true });
    }
  });
});
