/** The runtime container's create options and network choice, from the deploy block and the engine's facts (pure: no engine). */
import { describe, expect, it } from 'vitest';
import { containerCreateOptions, type RuntimeContainerSpec } from '../../local/deploy/docker/container-config.js';
import { bridgeNetworkName, chooseNetwork } from '../../local/deploy/docker/network.js';
import { isAgentSpecError } from '../../shared/errors.js';

const spec = (overrides: Partial<RuntimeContainerSpec> = {}): RuntimeContainerSpec => ({
  name: 'agentspec-pkg-main',
  image: 'agentspec/pkg:0123456789abcdef',
  env: { LOG_LEVEL: 'info' },
  labels: { 'dev.agentspec.package': 'pkg', 'dev.agentspec.target': 'main' },
  port: 8080,
  host: '127.0.0.1',
  network: { mode: 'host' },
  stopGraceSeconds: 10,
  ...overrides,
});

describe('network choice', () => {
  it('takes bridge by default when the engine has a bridge network', () => {
    expect(chooseNetwork('main', undefined, true).mode).toBe('bridge');
  });

  it('falls back to host networking when the engine has no bridge network, and says why', () => {
    const choice = chooseNetwork('main', undefined, false);
    expect(choice.mode).toBe('host');
    expect(choice.reason).toMatch(/no bridge network/);
  });

  it('refuses an explicit bridge on an engine without one with a config_error', () => {
    let caught: unknown;
    try {
      chooseNetwork('main', 'bridge', false);
    } catch (error) {
      caught = error;
    }
    expect(isAgentSpecError(caught) && caught.code).toBe('config_error');
    expect(String(caught)).toMatch(/no bridge network/);
  });

  it('takes host networking when the runtime needs a service on the host loopback, and refuses an explicit bridge then', () => {
    expect(chooseNetwork('main', undefined, true, 'Redis at redis://127.0.0.1:6379')).toEqual({
      mode: 'host',
      reason: "the runtime needs Redis at redis://127.0.0.1:6379 on the host's loopback",
    });
    expect(() => chooseNetwork('main', 'bridge', true, 'Redis at redis://127.0.0.1:6379')).toThrow(/cannot reach: use network "host"/);
  });

  it('keeps an explicit host whatever the engine has', () => {
    expect(chooseNetwork('main', 'host', true).mode).toBe('host');
  });

  it('names the bridge network after the package', () => {
    expect(bridgeNetworkName('My Pkg')).toBe('agentspec-my-pkg');
  });
});

describe('runtime container options', () => {
  it('host networking: binds the block host directly, publishes nothing', () => {
    const options = containerCreateOptions(spec());
    expect(options.HostConfig?.NetworkMode).toBe('host');
    expect(options.HostConfig?.PortBindings).toBeUndefined();
    expect(options.ExposedPorts).toBeUndefined();
    expect(options.Env).toEqual(['LOG_LEVEL=info', 'HOST=127.0.0.1', 'PORT=8080']);
    // the names (never the values) of the variables set, for diff
    expect(options.Labels).toEqual({ 'dev.agentspec.package': 'pkg', 'dev.agentspec.target': 'main', 'dev.agentspec.env-keys': 'HOST,LOG_LEVEL,PORT' });
    expect(options.HostConfig?.RestartPolicy?.Name).toBe('unless-stopped');
  });

  it('bridge: on the package network, listening on 0.0.0.0 inside, the port published on loopback only', () => {
    const options = containerCreateOptions(spec({ network: { mode: 'bridge', name: 'agentspec-pkg' } }));
    expect(options.HostConfig?.NetworkMode).toBe('agentspec-pkg');
    expect(options.ExposedPorts).toEqual({ '8080/tcp': {} });
    expect(options.HostConfig?.PortBindings).toEqual({ '8080/tcp': [{ HostIp: '127.0.0.1', HostPort: '8080' }] });
    // the runtime judges its reach (API keys) by the published address, not by 0.0.0.0
    expect(options.Env).toContain('HOST=0.0.0.0');
    expect(options.Env).toContain('AGENTSPEC_PUBLISHED_HOST=127.0.0.1');
  });

  it('bridge with host "0.0.0.0": published on every address, and the runtime told so', () => {
    const options = containerCreateOptions(spec({ host: '0.0.0.0', network: { mode: 'bridge', name: 'agentspec-pkg' } }));
    expect(options.HostConfig?.PortBindings).toEqual({ '8080/tcp': [{ HostIp: '0.0.0.0', HostPort: '8080' }] });
    expect(options.Env).toContain('AGENTSPEC_PUBLISHED_HOST=0.0.0.0');
  });

  it('carries the resource limits', () => {
    const options = containerCreateOptions(spec({ resources: { cpu: '500m', memory: '256Mi' } }));
    expect(options.HostConfig?.NanoCpus).toBe(500_000_000);
    expect(options.HostConfig?.Memory).toBe(256 * 1024 * 1024);
  });
});
