/**
 * The kubernetes target's drift and failure handling against the recording
 * API server, changed by the tests through its API as kubectl would: `diff`
 * names an edited image, replicas, env or Secret keys and a deleted
 * Deployment (never a Secret value), leaves replicas to an HPA that owns
 * them, and says it could not compare when the API server does not answer,
 * like `plan` does; a first apply whose rollout fails leaves no Deployment.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EnvSecretResolver } from '../../shared/secrets/env-resolver.js';
import { isAgentSpecError } from '../../shared/errors.js';
import { applyDeploy, diffDeploy, planDeploy, type PackageOperation } from '../../local/deploy/operations.js';
import { pinnedImage, useK8sRecordingServer } from '../helpers/k8s-recording-server.js';
import { freePort, writePackage } from './helpers/deploy-package.js';

const MODEL_KEY = 'model-key-value-4411';
const k8s = useK8sRecordingServer();

/** Applies a package named `name` in namespace "drift" and returns its directory. */
async function applied(name: string, deployLines: string[]): Promise<{ dir: string; op: PackageOperation }> {
  const file = await writePackage({
    target: 'kubernetes',
    port: 8080,
    name,
    deployLines: ['namespace "drift"', `image "${pinnedImage(name)}"`, ...deployLines],
  });
  k8s.dirs.push(dirname(file));
  const op: PackageOperation = {
    file,
    deployer: { kubeconfig: k8s.kubeconfig, pollIntervalMs: 10, rolloutTimeoutMs: 5000 },
    secretResolvers: { env: new EnvSecretResolver({ AGENTSPEC_TEST_ANTHROPIC_KEY: MODEL_KEY }) },
  };
  await applyDeploy(op);
  return { dir: dirname(file), op };
}

/** The fields of a Deployment or Secret the tests edit. */
interface Editable {
  spec: { replicas?: number; template: { spec: { containers: { image: string; env: { name: string; value?: string }[] }[] } } };
  data?: Record<string, string>;
}

/** Reads an object from the stand-in, lets `edit` change it, and writes it back: a `kubectl edit`. */
async function kubectlEdit(path: string, edit: (o: Editable) => void): Promise<void> {
  const object = (await (await fetch(`${k8s.api.url}${path}`)).json()) as Editable;
  edit(object);
  const response = await fetch(`${k8s.api.url}${path}?fieldManager=kubectl`, {
    method: 'PATCH',
    headers: { 'content-type': 'application/apply-patch+yaml' },
    body: JSON.stringify(object),
  });
  expect(response.ok).toBe(true);
}

const deploymentPath = (name: string) => `/apis/apps/v1/namespaces/drift/deployments/${name}`;

describe('kubernetes diff', () => {
  it('finds nothing right after an apply', async () => {
    const { dir } = await applied('clean', []);
    const [result] = await diffDeploy({ dir, deployer: { kubeconfig: k8s.kubeconfig } });
    expect(result?.drift).toEqual([]);
  });

  it('names an image, replicas and env edited with kubectl, and a Secret whose keys changed, without its values', async () => {
    // Prepare
    const { dir } = await applied('edited', []);
    await kubectlEdit(deploymentPath('edited-main'), (d) => {
      const container = d.spec.template.spec.containers[0]!;
      container.image = 'registry.example.com/other:latest';
      container.env.push({ name: 'DEBUG', value: '1' });
      d.spec.replicas = 3;
    });
    await kubectlEdit('/api/v1/namespaces/drift/secrets/edited-main-secrets', (s) => {
      s.data = { OTHER_KEY: Buffer.from('x').toString('base64') };
    });
    // Act
    const [result] = await diffDeploy({ dir, deployer: { kubeconfig: k8s.kubeconfig } });
    // Assess
    const drift = result?.drift ?? [];
    expect(drift).toContainEqual({ resource: 'Deployment/edited-main image', expected: pinnedImage('edited'), actual: 'registry.example.com/other:latest' });
    expect(drift).toContainEqual({ resource: 'Deployment/edited-main replicas', expected: '1', actual: '3' });
    expect(drift.find((d) => d.resource === 'Deployment/edited-main env')?.actual).toContain('DEBUG');
    expect(drift).toContainEqual({ resource: 'Secret/edited-main-secrets keys', expected: 'ANTHROPIC_API_KEY', actual: 'OTHER_KEY' });
    expect(JSON.stringify(drift)).not.toContain(MODEL_KEY);
  });

  it('reports a Deployment deleted by hand as missing', async () => {
    const { dir } = await applied('deleted', []);
    await fetch(`${k8s.api.url}${deploymentPath('deleted-main')}`, { method: 'DELETE' });
    const [result] = await diffDeploy({ dir, deployer: { kubeconfig: k8s.kubeconfig } });
    expect(result?.drift).toEqual([{ resource: 'Deployment/deleted-main', expected: 'present', actual: 'missing' }]);
  });

  it('leaves the replicas to the HPA that owns them', async () => {
    const { dir } = await applied('scaled', ['replicas 2', 'autoscale {', '  min 2', '  max 5', '}']);
    await kubectlEdit(deploymentPath('scaled-main'), (d) => {
      d.spec.replicas = 4;
    });
    const [result] = await diffDeploy({ dir, deployer: { kubeconfig: k8s.kubeconfig } });
    expect(result?.drift).toEqual([]);
  });
});

describe('kubernetes without an answering API server', () => {
  it('diff fails naming the API server, and plan says it compared with the state file only', async () => {
    // Prepare: an applied package, then a k8s.kubeconfig naming a port nobody listens on
    const { dir, op } = await applied('unreachable', []);
    const closed = await freePort();
    const config = join(dirname(k8s.kubeconfig), 'closed-lifecycle');
    await writeFile(config, (await readFile(k8s.kubeconfig, 'utf8')).replace(k8s.api.url, `http://127.0.0.1:${closed}`));
    // Act
    const error = await diffDeploy({ dir, deployer: { kubeconfig: config } }).catch((e: unknown) => e);
    const plan = await planDeploy({ ...op, deployer: { kubeconfig: config } });
    // Assess
    expect(isAgentSpecError(error) && error.code).toBe('deploy_error');
    expect((error as Error).message).toContain(`Could not compare with the cluster at http://127.0.0.1:${closed}`);
    expect(plan.items[0]).toEqual({
      resource: 'cluster',
      action: 'update',
      reason: expect.stringContaining(`could not compare with the cluster: the API server http://127.0.0.1:${closed} did not answer`),
    });
    expect(plan.items.slice(1).every((i) => i.action === 'unchanged' && i.reason?.endsWith('compared with the state file only'))).toBe(true);
  });
});

describe('kubernetes failed first apply', () => {
  it('removes the Deployment whose first rollout failed, so no failing pods stay', async () => {
    // Prepare
    const file = await writePackage({
      target: 'kubernetes',
      port: 8080,
      name: 'first',
      deployLines: ['namespace "drift"', `image "${pinnedImage('missing')}"`],
    });
    k8s.dirs.push(dirname(file));
    k8s.api.failing = true;
    // Act
    const error = await applyDeploy({
      file,
      deployer: { kubeconfig: k8s.kubeconfig, pollIntervalMs: 10, rolloutTimeoutMs: 5000 },
      secretResolvers: { env: new EnvSecretResolver({ AGENTSPEC_TEST_ANTHROPIC_KEY: MODEL_KEY }) },
    }).catch((e: unknown) => e);
    k8s.api.failing = false;
    // Assess
    expect(isAgentSpecError(error) && error.code).toBe('deploy_error');
    expect((error as Error).message).toMatch(/ImagePullBackOff.*Its Deployment was removed; nothing was serving before\./);
    expect(k8s.api.objects.has('Deployment/drift/first-main')).toBe(false);
  });
});
