import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ComposeDeployer } from '../../shared/deploy/compose/compose-deployer.js';
import { COMPOSE_FILE_NAME, composeYaml } from '../../shared/deploy/compose/compose-file.js';
import type { DeployContext, Deployer } from '../../shared/deploy/types.js';
import type { IRDeploy } from '../../shared/ir/types.js';
import { isAgentSpecError } from '../../shared/errors.js';
import { agent, irOf } from '../helpers/ir-builder.js';

function deployBlock(attributes: Partial<IRDeploy['attributes']> = {}): IRDeploy {
  return {
    kind: 'Deploy',
    name: 'stack',
    fqn: 'test/Deploy/stack',
    hash: '0'.repeat(64),
    attributes: { target: 'docker-compose', default: true, port: 8080, env: { LOG_LEVEL: 'info' }, secrets: { ANTHROPIC_API_KEY: 'anthropic-key' }, ...attributes },
  };
}

type Compose = { name: string; services: Record<string, { image: string; environment: Record<string, string>; healthcheck: { test: string[] }; network_mode: string; depends_on?: unknown; deploy?: unknown }> };

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

  it('adds a Redis service for sessions when replicas > 1 or sessions "redis"', () => {
    for (const attrs of [{ replicas: 2 }, { sessions: 'redis' }]) {
      const { doc } = compose(attrs);
      expect(Object.keys(doc.services)).toEqual(['runtime', 'redis']);
      expect(doc.services.runtime?.environment.REDIS_URL).toBe('redis://127.0.0.1:6379');
      expect(doc.services.runtime?.depends_on).toEqual({ redis: { condition: 'service_healthy' } });
    }
  });

  it('writes the file and refuses, with the command to run, to start a stack that needs Redis', async () => {
    // Prepare
    const dir = await mkdtemp(join(tmpdir(), 'agentspec-compose-'));
    const deploy = deployBlock({ replicas: 2 });
    const never: Deployer = {
      plan: async () => [],
      apply: async () => {
        throw new Error('the runtime must not be started');
      },
      status: async () => ({ target: 'stack', healthy: false, detail: {} }),
      logs: async function* () {},
      destroy: async () => undefined,
    };
    const ctx: DeployContext = { ir: irOf(agent('bot'), deploy), deploy, secret: async () => 'sk-never-written', progress: () => undefined, workdir: dir };
    // Act
    const error = await new ComposeDeployer(never).apply(ctx).catch((e: unknown) => e);
    const written = await readFile(join(dir, COMPOSE_FILE_NAME), 'utf8');
    // Assess
    expect(isAgentSpecError(error) && error.code).toBe('config_error');
    expect(String((error as Error).message)).toContain(`docker compose -f ${COMPOSE_FILE_NAME} up -d`);
    expect((parse(written) as Compose).services.redis).toBeDefined();
    expect(written).not.toContain('sk-never-written');
    await rm(dir, { recursive: true, force: true });
  });
});
