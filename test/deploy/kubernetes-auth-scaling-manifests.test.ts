/** The manifests' API keys, explicit no-auth, HPA requests and shared Redis, as pure functions of the deploy block. */
import { describe, expect, it } from 'vitest';
import { buildManifests, redactManifests, type Manifest } from '../../local/deploy/kubernetes/manifests.js';
import { autoscaleNotes } from '../../local/deploy/kubernetes/pod-resources.js';
import { DEFAULT_REDIS_IMAGE } from '../../local/deploy/docker/build-context.js';
import type { IRDeploy } from '../../shared/ir/types.js';
import { kubernetesBlock } from './helpers/kubernetes-block.js';
import { irOf, agent } from '../helpers/ir-builder.js';

type Container = {
  name: string;
  image: string;
  env: { name: string; value?: string; valueFrom?: { secretKeyRef: { name: string; key: string } } }[];
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
};

const deployBlock = kubernetesBlock;

function build(attributes: Partial<IRDeploy['attributes']> = {}, apiKeys = 'ask_generated'): Manifest[] {
  const deploy = deployBlock(attributes);
  return buildManifests({ ir: irOf(agent('bot'), deploy), deploy, image: 'registry.example.com/bot:1', secrets: {}, apiKeys });
}

function runtime(manifests: Manifest[]): Container {
  const deployment = manifests.find((m) => m.kind === 'Deployment' && !m.metadata.name.endsWith('-redis')) as unknown as {
    spec: { template: { spec: { containers: Container[] } } };
  };
  return deployment.spec.template.spec.containers[0]!;
}

const named = (manifests: Manifest[]) => manifests.map((m) => `${m.kind}/${m.metadata.name}`);

describe('kubernetes API keys', () => {
  it('gives the pods AGENTSPEC_API_KEYS from their own Secret by default, never as a literal', () => {
    const manifests = build();
    const keys = manifests.find((m) => m.kind === 'Secret' && m.metadata.name.endsWith('-api-keys'));
    const env = runtime(manifests).env.find((e) => e.name === 'AGENTSPEC_API_KEYS');
    expect(env?.valueFrom?.secretKeyRef).toEqual({ name: keys?.metadata.name, key: 'AGENTSPEC_API_KEYS' });
    expect(env?.value).toBeUndefined();
    expect(keys?.metadata.annotations?.['agentspec.dev/api-keys-source']).toBe('generated');
    expect(runtime(manifests).env.some((e) => e.name === 'AGENTSPEC_INSECURE')).toBe(false);
  });

  it('records a named api_keys secret as the source and redacts the value in printed manifests', () => {
    const manifests = build({ api_keys: 'team-keys' }, 'ask_from_env');
    const keys = manifests.find((m) => m.metadata.name.endsWith('-api-keys'));
    expect(keys?.metadata.annotations?.['agentspec.dev/api-keys-source']).toBe('secret/team-keys');
    expect(JSON.stringify(keys)).toContain('ask_from_env');
    expect(JSON.stringify(redactManifests(manifests))).not.toContain('ask_from_env');
  });

  it('with auth "none" sets the runtime\'s explicit opt-out and makes no keys Secret', () => {
    const manifests = build({ auth: 'none' });
    expect(named(manifests).some((n) => n.endsWith('-api-keys'))).toBe(false);
    expect(runtime(manifests).env).toContainEqual({ name: 'AGENTSPEC_INSECURE', value: '1' });
    expect(runtime(manifests).env.some((e) => e.name === 'AGENTSPEC_API_KEYS')).toBe(false);
  });
});

describe('kubernetes autoscale requests', () => {
  const autoscale = { min: 2, max: 6, metric: 'cpu', target: 70 };

  it('requests the default CPU and memory when autoscale has no resources, and says so', () => {
    const deploy = deployBlock({ autoscale });
    expect(runtime(build({ autoscale })).resources).toEqual({ requests: { cpu: '250m', memory: '256Mi' } });
    expect(autoscaleNotes(deploy)).toEqual([expect.stringMatching(/^warning: no cpu request .*250m/)]);
  });

  it('requests what resources say, limits to it, and has nothing to warn about', () => {
    const attributes = { autoscale: { ...autoscale, metric: 'memory' }, resources: { memory: '512Mi' } };
    expect(runtime(build(attributes)).resources).toEqual({ requests: { cpu: '250m', memory: '512Mi' }, limits: { memory: '512Mi' } });
    expect(autoscaleNotes(deployBlock(attributes))).toEqual([]);
  });

  it('warns about a metric without a request of its own, and about a metric it does not know', () => {
    const notes = autoscaleNotes(deployBlock({ autoscale: { ...autoscale, metric: 'requests' }, resources: { memory: '512Mi' } }));
    expect(notes).toEqual([expect.stringContaining('"requests" is not cpu or memory'), expect.stringContaining('no cpu request')]);
  });

  it('sets no resources without autoscale or resources', () => {
    expect(runtime(build()).resources).toBeUndefined();
  });
});

describe('kubernetes shared sessions', () => {
  it('adds no Redis for one replica', () => {
    const manifests = build();
    expect(named(manifests).some((n) => n.includes('redis'))).toBe(false);
    expect(runtime(manifests).env.some((e) => e.name === 'REDIS_URL' || e.name === 'AGENTSPEC_SESSIONS')).toBe(false);
  });

  it('manages a Redis (the compose default image) behind a NetworkPolicy for more than one replica', () => {
    const manifests = build({ replicas: 3 });
    const app = runtime(manifests);
    const redis = manifests.find((m) => m.kind === 'Deployment' && m.metadata.name.endsWith('-redis')) as unknown as {
      metadata: { name: string };
      spec: { replicas: number; template: { spec: { containers: Container[] } } };
    };
    const policy = manifests.find((m) => m.kind === 'NetworkPolicy') as unknown as {
      spec: { podSelector: { matchLabels: Record<string, string> }; ingress: { from: { podSelector: { matchLabels: Record<string, string> } }[] }[] };
    };
    expect(redis.spec.replicas).toBe(1);
    expect(redis.spec.template.spec.containers[0]?.image).toBe(DEFAULT_REDIS_IMAGE);
    expect(app.env).toContainEqual({ name: 'REDIS_URL', value: `redis://${redis.metadata.name}.agents.svc:6379` });
    expect(app.env).toContainEqual({ name: 'AGENTSPEC_SESSIONS', value: 'redis' });
    expect(policy.spec.podSelector.matchLabels['app.kubernetes.io/name']).toBe(redis.metadata.name);
    expect(policy.spec.ingress[0]?.from[0]?.podSelector.matchLabels['app.kubernetes.io/name']).toBe(redis.metadata.name.replace(/-redis$/, ''));
  });

  it('also shares sessions when the autoscaler may add a replica', () => {
    expect(named(build({ autoscale: { min: 1, max: 3, metric: 'cpu', target: 70 } }))).toContain('Service/test-prod-redis');
  });

  it("uses the package's own REDIS_URL secret instead of managing one", () => {
    const deploy = deployBlock({ replicas: 3, secrets: { REDIS_URL: 'redis-url' } });
    const manifests = buildManifests({ ir: irOf(agent('bot'), deploy), deploy, image: 'r/bot:1', secrets: { REDIS_URL: 'redis://cache:6379' } });
    expect(named(manifests).some((n) => n.includes('redis'))).toBe(false);
    expect(runtime(manifests).env.find((e) => e.name === 'REDIS_URL')?.valueFrom?.secretKeyRef.key).toBe('REDIS_URL');
    expect(runtime(manifests).env).toContainEqual({ name: 'AGENTSPEC_SESSIONS', value: 'redis' });
  });
});

describe('kubernetes IR ConfigMap', () => {
  it('is immutable and named by the IR hash, so the previous version keeps its own', () => {
    const deploy = deployBlock();
    const ir = irOf(agent('bot'), deploy);
    const configMap = buildManifests({ ir, deploy, image: 'r/bot:1', secrets: {} }).find((m) => m.kind === 'ConfigMap');
    expect(configMap?.metadata.name).toBe(`test-prod-ir-${ir.hash.slice(0, 12)}`);
    expect(configMap?.immutable).toBe(true);
  });
});
