/**
 * The keys of the Lambda functions come from a Secrets Manager secret. A
 * secret that names no key (blank, or only separators) must not turn
 * authentication off: the environment's app refuses every request but
 * `/healthz`. Wrong keys are throttled by the source IP of the Lambda event.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { createRuntimeEnvironment } from '../../functions/lib/environment.js';
import { AUTH_THROTTLE_DEFAULTS } from '../../shared/http/auth-throttle.js';
import { compile } from '../../shared/lang/index.js';

const PACKAGE = 'package "keys" version "1.0.0" lang "2.0"\nagent "solo" {\n  model "claude-haiku-4-5"\n}\n';

describe('the Lambda environment and its API-keys secret', () => {
  const secrets = mockClient(SecretsManagerClient);
  let dir: string;
  let irFile: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'agentspec-keys-'));
    irFile = join(dir, 'ir.json');
    writeFileSync(irFile, JSON.stringify(compile(PACKAGE, { file: 'keys.ias' }).ir));
    secrets.on(GetSecretValueCommand, { SecretId: 'arn:blank' }).resolves({ SecretString: ' , \n ,' });
    secrets.on(GetSecretValueCommand, { SecretId: 'arn:keys' }).resolves({ SecretString: 'lambda-key' });
    vi.stubEnv('AWS_REGION', 'us-east-1');
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'test');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'test');
    vi.stubEnv('AGENTSPEC_API_KEYS', undefined);
  });

  afterAll(() => {
    vi.unstubAllEnvs();
    secrets.restore();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const environment = (secret: string) => createRuntimeEnvironment({ AGENTSPEC_IR_FILE: irFile, AGENTSPEC_API_KEYS_SECRET: secret });

  it('refuses every request but /healthz when the secret names no key', async () => {
    const { app, runtime } = await environment('arn:blank');
    try {
      for (const headers of [{}, { authorization: 'Bearer x' }, { 'x-api-key': ',' }] as Record<string, string>[]) {
        expect((await app.request('/v1/agents', { headers })).status).toBe(401);
        const invoke = await app.request('/v1/agents/solo/invoke', {
          method: 'POST',
          headers: { ...headers, 'content-type': 'application/json' },
          body: '{"message":"hi"}',
        });
        expect(await invoke.json()).toMatchObject({ error: 'unauthorized' });
      }
      expect((await app.request('/healthz')).status).toBe(200);
    } finally {
      await runtime.close();
    }
  });

  it('throttles wrong keys by the source IP of the event', async () => {
    const { app, runtime } = await environment('arn:keys');
    const from = (sourceIp: string) => ({ requestContext: { http: { sourceIp } } });
    try {
      for (let i = 0; i < AUTH_THROTTLE_DEFAULTS.maxFailures; i++) await app.request('/v1/agents', { headers: { 'x-api-key': 'guess' } }, from('198.51.100.9'));
      const refused = await app.request('/v1/agents', { headers: { 'x-api-key': 'lambda-key' } }, from('198.51.100.9'));
      expect(refused.status).toBe(429);
      expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
      expect((await app.request('/v1/agents', { headers: { 'x-api-key': 'lambda-key' } }, from('198.51.100.10'))).status).toBe(200);
    } finally {
      await runtime.close();
    }
  });

  it('refuses to build without an API keys secret, unless the Function URL authenticates (auth "iam")', async () => {
    await expect(createRuntimeEnvironment({ AGENTSPEC_IR_FILE: irFile })).rejects.toMatchObject({
      code: 'config_error',
      message: expect.stringContaining('would serve without authentication'),
    });
    const { app, runtime } = await createRuntimeEnvironment({ AGENTSPEC_IR_FILE: irFile, AGENTSPEC_AUTH: 'iam' });
    try {
      expect((await app.request('/v1/agents')).status).toBe(200);
    } finally {
      await runtime.close();
    }
  });
});
