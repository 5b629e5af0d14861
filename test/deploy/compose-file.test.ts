import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { composeYaml } from '../../local/deploy/compose/compose-file.js';
import type { IRDeploy, IRUser } from '../../shared/ir/types.js';
import { agent, irOf } from '../helpers/ir-builder.js';

function deployBlock(attributes: Partial<IRDeploy['attributes']> = {}): IRDeploy {
  return {
    kind: 'Deploy',
    name: 'stack',
    fqn: 'test/Deploy/stack',
    hash: '0'.repeat(64),
    attributes: {
      target: 'docker-compose',
      default: true,
      port: 8080,
      env: { LOG_LEVEL: 'info' },
      secrets: { ANTHROPIC_API_KEY: 'anthropic-key' },
      ...attributes,
    },
  };
}

type Compose = {
  name: string;
  services: Record<
    string,
    { image: string; environment: Record<string, string>; healthcheck: { test: string[] }; network_mode: string; depends_on?: unknown; deploy?: unknown }
  >;
};

function compose(attributes: Partial<IRDeploy['attributes']> = {}): { text: string; doc: Compose } {
  const deploy = deployBlock(attributes);
  const text = composeYaml({ ir: irOf(agent('bot'), deploy), deploy, image: 'agentspec/test:abc' });
  return { text, doc: parse(text) as Compose };
}

describe('compose file', () => {
  it('describes the runtime service with healthcheck, port, env and secrets as environment references', () => {
    const { doc } = compose({ resources: { cpu: '500m', memory: '512Mi' } });
    const runtime = doc.services.runtime;
    expect(Object.keys(doc.services)).toEqual(['runtime']);
    expect(runtime?.image).toBe('agentspec/test:abc');
    expect(runtime?.network_mode).toBe('host');
    expect(runtime?.environment.PORT).toBe('8080');
    expect(runtime?.environment.LOG_LEVEL).toBe('info');
    expect(runtime?.environment.ANTHROPIC_API_KEY).toMatch(/^\$\{ANTHROPIC_API_KEY:\?/);
    expect(runtime?.healthcheck.test.join(' ')).toContain('/healthz');
    expect(runtime?.deploy).toEqual({ resources: { limits: { cpus: '0.5', memory: '512M' } } });
  });

  it("references each declared user's key by its variable, never a value", () => {
    // Prepare
    const deploy = deployBlock();
    const user: IRUser = {
      kind: 'User',
      name: 'dana',
      fqn: 'test/User/dana',
      hash: '1'.repeat(64),
      attributes: { key: 'DANA_KEY', agents: [], role: 'invoke' },
    };
    // Act
    const doc = parse(composeYaml({ ir: irOf(agent('bot'), user, deploy), deploy, image: 'agentspec/test:abc' })) as Compose;
    // Assess
    expect(doc.services.runtime?.environment.DANA_KEY).toBe('${DANA_KEY:?set DANA_KEY (key of user "dana")}');
  });

  it('adds a Redis service for sessions when replicas > 1 or sessions "redis"', () => {
    for (const attrs of [{ replicas: 2 }, { sessions: 'redis' }]) {
      const { doc } = compose(attrs);
      expect(Object.keys(doc.services)).toEqual(['runtime', 'redis']);
      expect(doc.services.runtime?.environment.REDIS_URL).toBe('redis://127.0.0.1:6379');
      expect(doc.services.runtime?.depends_on).toEqual({ redis: { condition: 'service_healthy' } });
    }
  });

  it('points the runtime and the Redis service at the configured Redis image and port', () => {
    // Prepare
    const deploy = deployBlock({ sessions: 'redis' });
    // Act
    const text = composeYaml({ ir: irOf(agent('bot'), deploy), deploy, image: 'agentspec/test:abc', redisImage: 'example/redis:7', redisPort: 16379 });
    const doc = parse(text) as {
      services: { runtime: { environment: Record<string, string> }; redis: { image: string; command: string[]; healthcheck: { test: string[] } } };
    };
    // Assess
    expect(doc.services.runtime.environment.REDIS_URL).toBe('redis://127.0.0.1:16379');
    expect(doc.services.runtime.environment.AGENTSPEC_SESSIONS).toBe('redis');
    expect(doc.services.redis.image).toBe('example/redis:7');
    expect(doc.services.redis.command).toContain('16379');
    expect(doc.services.redis.healthcheck.test).toEqual(['CMD', 'redis-cli', '-p', '16379', 'ping']);
  });

  it('bridge: publishes the port on the block host only, on the stack network, Redis on that network alone', () => {
    // Prepare
    const deploy = deployBlock({ sessions: 'redis' });
    // Act
    const text = composeYaml({ ir: irOf(agent('bot'), deploy), deploy, image: 'agentspec/test:abc', network: 'bridge' });
    const doc = parse(text) as {
      services: Record<string, { ports?: string[]; networks?: string[]; network_mode?: string; environment?: Record<string, string>; command?: string[] }>;
      networks?: Record<string, { driver: string }>;
    };
    // Assess
    expect(doc.services.runtime?.ports).toEqual(['127.0.0.1:8080:8080']);
    expect(doc.services.runtime?.networks).toEqual(['agentspec']);
    expect(doc.services.runtime?.network_mode).toBeUndefined();
    expect(doc.services.runtime?.environment).toMatchObject({ HOST: '0.0.0.0', AGENTSPEC_PUBLISHED_HOST: '127.0.0.1', REDIS_URL: 'redis://redis:6379' });
    expect(doc.services.redis?.networks).toEqual(['agentspec']);
    expect(doc.services.redis?.ports).toBeUndefined();
    expect(doc.networks).toMatchObject({ agentspec: { driver: 'bridge' } });
  });

  it('host: network_mode host, no ports, no network, the runtime binding the block host', () => {
    const { doc, text } = compose({ network: 'host' });
    expect(doc.services.runtime?.network_mode).toBe('host');
    expect(doc.services.runtime?.environment.HOST).toBe('127.0.0.1');
    expect(doc.services.runtime).not.toHaveProperty('ports');
    expect(parse(text)).not.toHaveProperty('networks');
  });

  it('is in the format docker-compose 1.29 reads: no version, no top-level name', () => {
    const { doc } = compose({ sessions: 'redis' });
    expect(Object.keys(doc)).toEqual(['services']);
  });

  it('quotes the strings a YAML 1.1 reader (PyYAML) would take for booleans or numbers', () => {
    // Prepare: values that YAML 1.2 leaves plain but YAML 1.1 reads as true / 493 / 90
    const env = { FLAG: 'on', MODE: '0755', WAIT: '1:30' };
    // Act
    const { text } = compose({ env, sessions: 'redis' });
    // Assess
    expect(parse(text, { version: '1.1' })).toMatchObject({ services: { runtime: { environment: env } } });
    expect(text).toContain('- "no"');
  });

  it('doubles every $ of a literal value so compose interpolates only the secret references', () => {
    const { doc } = compose({ env: { PRICE: 'costs $5 or ${X}' }, host: '127.0.0.1' });
    expect(doc.services.runtime?.environment.PRICE).toBe('costs $$5 or $${X}');
    expect(doc.services.runtime?.environment.ANTHROPIC_API_KEY).toMatch(/^\$\{ANTHROPIC_API_KEY:\?/);
  });
});
