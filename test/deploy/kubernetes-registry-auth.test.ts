/**
 * The pieces of the kubernetes image step that need no engine: image
 * references split as a registry sees them, registry credentials from
 * registry_auth, the Docker config and a credential helper, the registry
 * client's Bearer token flow against a loopback stand-in, and the pull
 * Secret kept out of printed manifests.
 */
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseImageRef, isLoopbackRegistry } from '../../local/deploy/kubernetes/image-ref.js';
import { registryCredentials } from '../../local/deploy/kubernetes/registry-credentials.js';
import { RegistryClient } from '../../local/deploy/kubernetes/registry-client.js';
import { buildManifests, manifestsYaml } from '../../local/deploy/kubernetes/index.js';
import type { DeployContext } from '../../local/deploy/types.js';
import type { IRDeploy } from '../../shared/ir/types.js';
import { agent, irOf } from '../helpers/ir-builder.js';
import { kubernetesBlock } from './helpers/kubernetes-block.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'agentspec-registry-auth-'));
  dirs.push(dir);
  return dir;
}

/** A context whose deploy block has the given attributes and whose secrets come from `secrets`. */
function contextWith(attributes: Partial<IRDeploy['attributes']>, secrets: Record<string, string> = {}): DeployContext {
  const deploy = kubernetesBlock(attributes);
  return {
    ir: irOf(agent('bot'), deploy),
    deploy,
    secret: (name) => (name in secrets ? Promise.resolve(secrets[name] ?? '') : Promise.reject(new Error(`no secret ${name}`))),
    progress: () => undefined,
    workdir: '.',
  };
}

describe('image references', () => {
  it('splits host, repository, tag and digest, with Docker Hub for a bare name', () => {
    expect(parseImageRef('registry.example.com/team/agent:1.2')).toEqual({ registry: 'registry.example.com', repository: 'team/agent', tag: '1.2' });
    expect(parseImageRef('127.0.0.1:5000/a@sha256:ab')).toEqual({ registry: '127.0.0.1:5000', repository: 'a', digest: 'sha256:ab' });
    expect(parseImageRef('localhost/a/b')).toEqual({ registry: 'localhost', repository: 'a/b' });
    expect(parseImageRef('redis:7')).toEqual({ registry: 'docker.io', repository: 'library/redis', tag: '7' });
    expect(parseImageRef('team/agent')).toEqual({ registry: 'docker.io', repository: 'team/agent' });
    expect([isLoopbackRegistry('127.0.0.1:5000'), isLoopbackRegistry('localhost:5000'), isLoopbackRegistry('registry.example.com')]).toEqual([
      true,
      true,
      false,
    ]);
  });
});

describe('registry credentials', () => {
  it('takes registry_auth as user:password and refuses a value without a colon', async () => {
    const found = await registryCredentials(contextWith({ registry_auth: 'reg' }, { reg: 'robot:pw-1' }), 'r.example.com');
    const error = await registryCredentials(contextWith({ registry_auth: 'reg' }, { reg: 'no-colon' }), 'r.example.com').catch((e: unknown) => e);
    expect(found).toEqual({ username: 'robot', password: 'pw-1', source: 'registry_auth "reg"' });
    expect((error as Error).message).toBe('registry_auth secret "reg" must hold "user:password".');
  });

  it('reads the Docker config: an auths entry by host or URL, else none', async () => {
    const dir = await tempDir();
    const auth = Buffer.from('cfg-user:cfg-pw').toString('base64');
    await writeFile(join(dir, 'config.json'), JSON.stringify({ auths: { 'https://r.example.com': { auth } } }));
    expect(await registryCredentials(contextWith({}), 'r.example.com', dir)).toEqual({ username: 'cfg-user', password: 'cfg-pw', source: 'the Docker config' });
    expect(await registryCredentials(contextWith({}), 'other.example.com', dir)).toBeUndefined();
    expect(await registryCredentials(contextWith({}), 'r.example.com', join(dir, 'absent'))).toBeUndefined();
  });

  it('asks the credential helper credHelpers names for the host, with the host on stdin', async () => {
    // Prepare: a helper on PATH that answers for one host only
    const dir = await tempDir();
    const helper = join(dir, 'docker-credential-testhelper');
    await writeFile(
      helper,
      '#!/bin/sh\nread host\nif [ "$host" = "h.example.com" ]; then echo \'{"ServerURL":"h.example.com","Username":"helped","Secret":"from-helper"}\'; else echo "credentials not found" >&2; exit 1; fi\n',
    );
    await chmod(helper, 0o755);
    await writeFile(join(dir, 'config.json'), JSON.stringify({ credHelpers: { 'h.example.com': 'testhelper' }, credsStore: 'testhelper' }));
    const saved = process.env.PATH;
    process.env.PATH = `${dir}:${saved ?? ''}`;
    try {
      // Act
      const found = await registryCredentials(contextWith({}), 'h.example.com', dir);
      const none = await registryCredentials(contextWith({}), 'x.example.com', dir);
      // Assess
      expect(found).toEqual({ username: 'helped', password: 'from-helper', source: 'docker-credential-testhelper' });
      expect(none).toBeUndefined();
    } finally {
      process.env.PATH = saved;
    }
  });
});

describe('registry client', () => {
  let server: Server;
  let host: string;
  const seen: string[] = [];

  beforeAll(async () => {
    // a registry that wants a Bearer token from its realm, which issues one for Basic robot:pw-2
    server = createServer((req, res) => {
      seen.push(`${req.method ?? ''} ${req.url ?? ''} ${req.headers.authorization?.split(' ')[0] ?? 'none'}`);
      if (req.url?.startsWith('/token')) {
        const ok = req.headers.authorization === `Basic ${Buffer.from('robot:pw-2').toString('base64')}`;
        res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' });
        return res.end(ok ? JSON.stringify({ token: 'issued-token' }) : '{}');
      }
      if (req.headers.authorization !== 'Bearer issued-token') {
        res.writeHead(401, { 'www-authenticate': `Bearer realm="http://${host}/token",service="test"` });
        return res.end();
      }
      if (req.url === '/v2/team/agent/manifests/present') {
        res.writeHead(200, { 'docker-content-digest': `sha256:${'e2'.repeat(32)}` });
        return res.end();
      }
      res.writeHead(req.url === '/v2/' ? 200 : 404);
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('gets a Bearer token from the realm with the credentials, then reads digests (undefined when absent)', async () => {
    const client = new RegistryClient(host, { username: 'robot', password: 'pw-2', source: 'test' });
    await client.check('team/agent');
    expect(await client.manifestDigest('team/agent', 'present')).toBe(`sha256:${'e2'.repeat(32)}`);
    expect(await client.manifestDigest('team/agent', 'absent')).toBeUndefined();
    expect(seen).toContain('GET /token?service=test&scope=repository%3Ateam%2Fagent%3Apull%2Cpush Basic');
  });

  it('refuses wrong credentials with a config_error naming the registry and the source, not the password', async () => {
    const error = await new RegistryClient(host, { username: 'robot', password: 'not-it', source: 'registry_auth "reg"' })
      .check('team/agent')
      .catch((e: unknown) => e);
    expect((error as { code?: string }).code).toBe('config_error');
    expect((error as Error).message).toBe(`The registry ${host} refused the credentials from registry_auth "reg" (HTTP 401).`);
  });
});

describe('the pull Secret', () => {
  it('is a dockerconfigjson Secret the pod spec names, whose value --dry-run never prints', () => {
    const deploy = kubernetesBlock({ image: 'r.example.com/a' });
    const value = JSON.stringify({ auths: { 'r.example.com': { username: 'u', password: 'pull-password-9' } } });
    const manifests = buildManifests({ ir: irOf(agent('bot'), deploy), deploy, image: 'r.example.com/a@sha256:0', secrets: {}, pullSecret: value });
    const secret = manifests.find((m) => m.metadata.name.endsWith('-registry'));
    const pod = manifests.find((m) => m.kind === 'Deployment') as unknown as { spec: { template: { spec: { imagePullSecrets: unknown } } } };
    expect(secret?.type).toBe('kubernetes.io/dockerconfigjson');
    expect(pod.spec.template.spec.imagePullSecrets).toEqual([{ name: secret?.metadata.name }]);
    expect(manifestsYaml(manifests)).not.toContain('pull-password-9');
  });
});
