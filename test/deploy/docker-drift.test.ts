/** Drift of a runtime container from synthetic inspect results: what is reported, and that environment values never are. */
import type Docker from 'dockerode';
import { describe, expect, it } from 'vitest';
import { containerDrift, type ExpectedContainer } from '../../local/deploy/docker/drift.js';

const ID = 'a'.repeat(64);
const expected: ExpectedContainer = {
  id: ID,
  image: 'sha256:1111',
  envKeys: ['HOST', 'PORT', 'ANTHROPIC_API_KEY'],
  restartPolicy: 'unless-stopped',
  port: 8080,
  host: '127.0.0.1',
  network: { mode: 'bridge', name: 'agentspec-pkg' },
};

function info(overrides: { env?: string[]; policy?: string; networks?: string[]; running?: boolean; bindings?: unknown } = {}): Docker.ContainerInspectInfo {
  return {
    Id: ID,
    Image: 'sha256:1111',
    State: { Running: overrides.running ?? true, Status: overrides.running === false ? 'exited' : 'running', ExitCode: overrides.running === false ? 137 : 0 },
    Config: {
      Env: overrides.env ?? ['HOST=0.0.0.0', 'PORT=8080', 'ANTHROPIC_API_KEY=value-never-shown', 'PATH=/usr/bin'],
      Labels: { 'dev.agentspec.env-keys': 'ANTHROPIC_API_KEY,HOST,PORT' },
    },
    HostConfig: {
      NetworkMode: 'agentspec-pkg',
      RestartPolicy: { Name: overrides.policy ?? 'unless-stopped' },
      PortBindings: overrides.bindings ?? { '8080/tcp': [{ HostIp: '127.0.0.1', HostPort: '8080' }] },
    },
    NetworkSettings: { Networks: Object.fromEntries((overrides.networks ?? ['agentspec-pkg']).map((n) => [n, {}])) },
  } as unknown as Docker.ContainerInspectInfo;
}

describe('container drift', () => {
  it('finds none when the container is as applied', () => {
    expect(containerDrift(expected, { info: info(), others: [], imageEnvKeys: ['PATH'] })).toEqual([]);
  });

  it('reports a removed container as missing, and one replaced by hand', () => {
    expect(containerDrift(expected, { info: undefined, others: [], imageEnvKeys: [] })).toEqual([
      { resource: 'container aaaaaaaaaaaa', expected: 'present', actual: 'missing' },
    ]);
    expect(containerDrift(expected, { info: undefined, others: ['b'.repeat(64)], imageEnvKeys: [] })[0]?.actual).toBe('missing (replaced by bbbbbbbbbbbb)');
  });

  it('reports a stopped container, a changed restart policy, an extra network and an unpublished port', () => {
    const drift = containerDrift(expected, {
      info: info({ running: false, policy: 'no', networks: ['agentspec-pkg', 'other'], bindings: {} }),
      others: [],
      imageEnvKeys: ['PATH'],
    });
    expect(drift.map((d) => d.resource)).toEqual(['container aaaaaaaaaaaa', 'restart policy', 'networks', 'port 8080']);
    expect(drift[0]?.actual).toBe('exited (exit code 137)');
  });

  it('names missing and unexpected variables, never their values', () => {
    const drift = containerDrift(expected, { info: info({ env: ['HOST=0.0.0.0', 'PORT=8080', 'EXTRA=also-hidden'] }), others: [], imageEnvKeys: [] });
    expect(drift).toEqual([
      { resource: 'environment (names only)', expected: 'ANTHROPIC_API_KEY, HOST, PORT', actual: 'missing ANTHROPIC_API_KEY; unexpected EXTRA' },
    ]);
    expect(JSON.stringify(drift)).not.toContain('hidden');
  });
});
