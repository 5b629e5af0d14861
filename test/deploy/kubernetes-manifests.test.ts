import { describe, expect, it } from 'vitest';
import { Namespace, ConfigMap, Secret, Service } from 'kubernetes-models/v1';
import { Deployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { buildManifests, redactManifests, type Manifest } from '../../local/deploy/kubernetes/manifests.js';
import type { IRDeploy } from '../../shared/ir/types.js';
import { kubernetesBlock } from './helpers/kubernetes-block.js';
import { irOf, agent } from '../helpers/ir-builder.js';

function deployBlock(attributes: Partial<IRDeploy['attributes']> = {}): IRDeploy {
  return kubernetesBlock({ env: { LOG_LEVEL: 'info' }, secrets: { ANTHROPIC_API_KEY: 'anthropic-key' }, replicas: 3, ...attributes });
}

function manifestsFor(attributes: Partial<IRDeploy['attributes']> = {}): Manifest[] {
  const deploy = deployBlock(attributes);
  return buildManifests({ ir: irOf(agent('bot'), deploy), deploy, image: 'registry.example.com/bot:1', secrets: { ANTHROPIC_API_KEY: 'sk-secret-value' } });
}

/** The runtime's Deployment (the package also has Redis's when scaled). */
function runtimeOf(manifests: Manifest[]): Manifest {
  const found = manifests.find((m) => m.kind === 'Deployment' && !m.metadata.name.endsWith('-redis'));
  if (!found) throw new Error('no runtime Deployment');
  return found;
}

const validators: Record<string, (m: Manifest) => { validate(): void }> = {
  Namespace: (m) => new Namespace(m),
  ConfigMap: (m) => new ConfigMap(m),
  Secret: (m) => new Secret(m),
  Service: (m) => new Service(m),
  Deployment: (m) => new Deployment(m),
  HorizontalPodAutoscaler: (m) => new HorizontalPodAutoscaler(m),
  NetworkPolicy: (m) => new NetworkPolicy(m),
};

describe('kubernetes manifests', () => {
  it('validates every generated object against the Kubernetes schemas', () => {
    const manifests = manifestsFor({ autoscale: { min: 2, max: 10, metric: 'cpu', target: 70 }, resources: { cpu: '500m', memory: '512Mi' } });
    expect(manifests.map((m) => m.kind)).toEqual([
      'Namespace',
      'ConfigMap',
      'Secret',
      'Secret',
      'Deployment',
      'Service',
      'NetworkPolicy',
      'Deployment',
      'Service',
      'HorizontalPodAutoscaler',
    ]);
    for (const manifest of manifests) {
      const validator = validators[manifest.kind];
      expect(validator, manifest.kind).toBeDefined();
      expect(() => validator?.(manifest).validate(), manifest.kind).not.toThrow();
    }
  });

  it('rejects a broken object in the validator, so the check above can fail', () => {
    const deployment = runtimeOf(manifestsFor());
    const broken = { ...deployment, spec: { replicas: 'three' } } as Manifest;
    expect(() => new Deployment(broken as never).validate()).toThrow();
  });

  it('hardens the pod: non-root, read-only root, /tmp as emptyDir, probes on /healthz', () => {
    const deployment = runtimeOf(manifestsFor()) as unknown as {
      spec: {
        replicas: number;
        template: {
          spec: {
            securityContext: { runAsNonRoot: boolean };
            containers: {
              securityContext: { readOnlyRootFilesystem: boolean };
              livenessProbe: { httpGet: { path: string } };
              readinessProbe: { httpGet: { path: string } };
              volumeMounts: { mountPath: string }[];
            }[];
            volumes: { name: string; emptyDir?: object }[];
          };
        };
      };
    };
    const pod = deployment.spec.template.spec;
    expect(deployment.spec.replicas).toBe(3);
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    expect(pod.containers[0]?.securityContext.readOnlyRootFilesystem).toBe(true);
    expect(pod.containers[0]?.livenessProbe.httpGet.path).toBe('/healthz');
    expect(pod.containers[0]?.readinessProbe.httpGet.path).toBe('/healthz');
    expect(pod.containers[0]?.volumeMounts.map((v) => v.mountPath)).toContain('/tmp');
    expect(pod.volumes.find((v) => v.name === 'tmp')?.emptyDir).toEqual({});
  });

  it('puts the secret value only in the Secret, and never in the redacted output', () => {
    const manifests = manifestsFor();
    const outsideSecret = JSON.stringify(manifests.filter((m) => m.kind !== 'Secret'));
    expect(outsideSecret).not.toContain('sk-secret-value');
    expect(JSON.stringify(manifests.find((m) => m.kind === 'Secret'))).toContain('sk-secret-value');
    expect(JSON.stringify(redactManifests(manifests))).not.toContain('sk-secret-value');
  });

  it('adds no HPA without autoscale and labels every object for destroy', () => {
    const manifests = manifestsFor();
    expect(manifests.some((m) => m.kind === 'HorizontalPodAutoscaler')).toBe(false);
    for (const m of manifests) expect(m.metadata.labels['app.kubernetes.io/managed-by']).toBe('agentspec');
  });
});
