import { execFileSync } from 'node:child_process';
import { expect } from 'vitest';
import { ensureBaseImage, requireDocker, TEST_BASE_IMAGE } from '../helpers/docker.js';
import { runDeployerContract } from './deployer.contract.js';

const docker = (...args: string[]): string => execFileSync('docker', args, { encoding: 'utf8' });

runDeployerContract('docker', {
  target: 'docker',
  deployLines: [`base_image "${TEST_BASE_IMAGE}"`, 'resources {', '  cpu "500m"', '  memory "256Mi"', '}'],
  deployer: (fakeUrl) => ({ env: { ANTHROPIC_BASE_URL: fakeUrl } }),
  identity: (ids) => ids.container,
  artifact: (ids) => ids.image,
  tamper: (state) => {
    // stopped by hand: the restart policy does not bring it back, diff must say so
    const id = String(state.ids.container);
    docker('stop', '-t', '1', id);
    return Promise.resolve(`container ${id.slice(0, 12)}`);
  },
  beforeAll: async () => {
    requireDocker();
    await ensureBaseImage();
  },
  inspect: async (state, secret) => {
    // Prepare
    const tag = String(state.ids.tag);
    const container = String(state.ids.container);
    // Act
    const image = docker('image', 'inspect', tag);
    const history = docker('history', '--no-trunc', tag);
    const config = JSON.parse(image) as { Config: { User: string; Labels: Record<string, string>; Healthcheck?: { Test: string[] } } }[];
    const running = JSON.parse(docker('container', 'inspect', container)) as {
      HostConfig: { NetworkMode: string; NanoCpus: number; Memory: number; RestartPolicy: { Name: string } };
      Config: { Env: string[] };
    }[];
    // Assess: no secret in any layer or in the image config; non-root; labels; limits
    expect(image).not.toContain(secret);
    expect(history).not.toContain(secret);
    expect(config[0]?.Config.User).toBe('10001:10001');
    expect(docker('exec', container, 'node', '-e', 'process.stdout.write(String(process.getuid()))')).toBe('10001');
    expect(config[0]?.Config.Labels['dev.agentspec.package']).toBe('deploytest-docker');
    expect(config[0]?.Config.Labels['dev.agentspec.ir-hash']).toBe(state.ir_hash);
    expect(config[0]?.Config.Healthcheck?.Test.join(' ')).toContain('/healthz');
    expect(running[0]?.HostConfig.NetworkMode).toBe('host');
    expect(running[0]?.HostConfig.NanoCpus).toBe(500_000_000);
    expect(running[0]?.HostConfig.Memory).toBe(256 * 1024 * 1024);
    expect(running[0]?.HostConfig.RestartPolicy.Name).toBe('unless-stopped');
    // the secret reaches the container only as run-time env
    expect(running[0]?.Config.Env).toContain(`ANTHROPIC_API_KEY=${secret}`);
  },
  timeoutMs: 180_000,
});
