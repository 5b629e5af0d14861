/** Per-user API keys: resolved from a declared secret or the environment (fail closed), limited to their agents, named in logs, beside the deploy keys. */
import { describe, expect, it } from 'vitest';
import type { IRDocument, IRPipeline, IRSecret, IRUser } from '../../shared/ir/types.js';
import { resolveUserKeys, userKeyEnvironment, type UserKeys } from '../../shared/http/user-keys.js';
import { SecretVault } from '../../shared/secrets/vault.js';
import { echoScript } from '../helpers/fake-runtime.js';
import { irOf } from '../helpers/ir-builder.js';
import { appWith, post, recordingLogger } from './helpers.js';

function user(name: string, key: string, agents: string[], role: 'invoke' | 'admin' = 'invoke'): IRUser {
  return { kind: 'User', name, fqn: `test/User/${name}`, hash: '0'.repeat(64), attributes: { key, agents, role } };
}
function secret(name: string, key: string): IRSecret {
  return { kind: 'Secret', name, fqn: `test/Secret/${name}`, hash: '0'.repeat(64), attributes: { source: 'env', key } };
}
const pipeline: IRPipeline = {
  kind: 'Pipeline',
  name: 'review',
  fqn: 'test/Pipeline/review',
  hash: '0'.repeat(64),
  attributes: {
    steps: [
      { name: 'draft', agent: 'assistant', parallel: false, depends_on: [] },
      { name: 'check', agent: 'reviewer', parallel: false, depends_on: [] },
    ],
  },
};

const ENV = { ADMIN_KEY_VALUE: 'admin-test-key', DEV_API_KEY: 'dev-test-key', OPS_API_KEY: 'ops-test-key' };

async function keysOf(ir: IRDocument, env: Record<string, string> = ENV): Promise<UserKeys> {
  return resolveUserKeys(ir, new SecretVault(ir, { env: { resolve: async ({ key }) => env[key] ?? Promise.reject(new Error('unset')) } }), env);
}

const IR = irOf(
  secret('ADMIN_API_KEY', 'ADMIN_KEY_VALUE'),
  user('admin', 'ADMIN_API_KEY', ['assistant'], 'admin'),
  user('developer', 'DEV_API_KEY', ['assistant']),
  user('ops', 'OPS_API_KEY', []),
);

async function server(apiKeys: string[] | false = ['deploy-test-key']) {
  const { logger, records } = recordingLogger();
  const { app } = appWith({ agents: { assistant: echoScript, reviewer: echoScript }, pipelines: [pipeline] }, { apiKeys, users: await keysOf(IR), logger });
  const call = (path: string, key: string, body: unknown = { message: 'hi' }) => app.request(path, post(body, { authorization: `Bearer ${key}` }));
  return { app, call, records };
}

describe('user keys', () => {
  it('lets a user invoke the agents of its list and answers 403 in the JSON error shape for others', async () => {
    const { call } = await server();

    expect((await call('/v1/agents/assistant/invoke', 'dev-test-key')).status).toBe(200);
    const refused = await call('/v1/agents/reviewer/invoke', 'dev-test-key');

    expect(refused.status).toBe(403);
    expect(await refused.json()).toEqual({
      error: 'forbidden',
      message: 'User "developer" may not invoke agent "reviewer".',
      details: { user: 'developer', agent: 'reviewer' },
    });
  });

  it('applies the same limit to the stream and session routes', async () => {
    const { call } = await server();
    expect((await call('/v1/agents/reviewer/stream', 'dev-test-key')).status).toBe(403);
    expect((await call('/v1/agents/reviewer/sessions', 'dev-test-key', {})).status).toBe(403);
  });

  it('gives an admin every agent, pipeline and the metrics route, whatever its list says', async () => {
    const { app, call } = await server();
    expect((await call('/v1/agents/reviewer/invoke', 'admin-test-key')).status).toBe(200);
    expect((await call('/v1/pipelines/review/run', 'admin-test-key', { input: 'x' })).status).not.toBe(403);
    expect((await app.request('/v1/metrics', { headers: { authorization: 'Bearer admin-test-key' } })).status).toBe(200);
    expect((await app.request('/v1/metrics', { headers: { authorization: 'Bearer dev-test-key' } })).status).toBe(403);
  });

  it('gives a user with an empty agent list every agent, as the original does', async () => {
    const { call } = await server();
    expect((await call('/v1/agents/reviewer/invoke', 'ops-test-key')).status).toBe(200);
  });

  it('refuses a pipeline with an agent outside the user list, naming the step', async () => {
    const { call } = await server();
    const refused = await call('/v1/pipelines/review/run', 'dev-test-key', { input: 'x' });
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { message: string }).message).toContain('its step "check" runs agent "reviewer"');
  });

  it('keeps the deploy keys working with full access beside the user keys, and refuses unknown keys', async () => {
    const { call } = await server();
    expect((await call('/v1/agents/reviewer/invoke', 'deploy-test-key')).status).toBe(200);
    expect((await call('/v1/agents/assistant/invoke', 'not-a-key')).status).toBe(401);
  });

  it('turns authentication on when users are declared, even without deploy keys', async () => {
    const { app, call } = await server(false);
    expect((await app.request('/v1/agents/assistant/invoke', post({ message: 'hi' }))).status).toBe(401);
    expect((await call('/v1/agents/assistant/invoke', 'dev-test-key')).status).toBe(200);
  });

  it('logs the caller by user name, never by key', async () => {
    const { call, records } = await server();
    await call('/v1/agents/assistant/invoke', 'dev-test-key');
    const line = records.find((r) => r.msg === 'request' && r.path === '/v1/agents/assistant/invoke');
    expect(line).toMatchObject({ user: 'developer', status: 200 });
    expect(JSON.stringify(records)).not.toContain('dev-test-key');
  });

  it('gives a deployer the environment that makes every user key resolve in the runtime it starts', async () => {
    const vault = (env: Record<string, string>) => new SecretVault(IR, { env: { resolve: async ({ key }) => env[key] ?? Promise.reject(new Error('unset')) } });
    const deployed = await userKeyEnvironment(IR, vault(ENV), ENV);
    expect(deployed).toEqual({ ADMIN_API_KEY: 'admin-test-key', DEV_API_KEY: 'dev-test-key', OPS_API_KEY: 'ops-test-key' });

    // inside the runtime the declared secret's own source (ADMIN_KEY_VALUE) is absent: the deployed variable is read
    const keys = await resolveUserKeys(IR, vault(deployed), deployed);
    expect(keys.match('admin-test-key')).toMatchObject({ name: 'admin', role: 'admin' });
  });

  it('refuses to start when a user key is missing, naming the user and the variable, never a value', async () => {
    await expect(keysOf(IR, { ...ENV, DEV_API_KEY: '' })).rejects.toMatchObject({
      code: 'config_error',
      message: 'User "developer" has no API key: environment variable DEV_API_KEY is not set. Set it, or remove the user.',
    });
    const { ADMIN_KEY_VALUE: _dropped, ...withoutSecret } = ENV;
    await expect(keysOf(IR, withoutSecret)).rejects.toMatchObject({
      message: expect.stringContaining('User "admin" has no API key: secret "ADMIN_API_KEY" is not set'),
    });
  });
});
