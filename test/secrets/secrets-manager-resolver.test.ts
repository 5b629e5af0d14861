import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { GetSecretValueCommand, ResourceNotFoundException, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SecretsManagerResolver } from '../../functions/lib/secrets/secrets-manager-resolver.js';

const sm = mockClient(SecretsManagerClient);

beforeEach(() => sm.reset());

const newResolver = () => new SecretsManagerResolver({ client: new SecretsManagerClient({ region: 'us-east-1' }) });

describe('SecretsManagerResolver', () => {
  it('reads a store() secret with GetSecretValue and caches it per environment', async () => {
    // Prepare
    sm.on(GetSecretValueCommand, { SecretId: 'prod/api-token' }).resolves({ SecretString: 's3cr3t-value' });
    const resolver = newResolver();
    // Act
    const first = await resolver.resolve({ source: 'store', key: 'prod/api-token' });
    const second = await resolver.resolve({ source: 'store', key: 'prod/api-token' });
    // Assess
    expect([first, second]).toEqual(['s3cr3t-value', 's3cr3t-value']);
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(1);
  });

  it('names a missing secret in a config_error without any value, and retries later', async () => {
    sm.on(GetSecretValueCommand)
      .rejectsOnce(new ResourceNotFoundException({ message: 'not found', $metadata: {} }))
      .resolves({ SecretString: 'later' });
    const resolver = newResolver();
    const error = await resolver.resolve({ source: 'store', key: 'prod/missing' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'config_error', details: { secret: 'prod/missing' } });
    expect((error as Error).message).toContain('"prod/missing"');
    expect((error as Error).message).toContain('does not exist');
    expect(await resolver.resolve({ source: 'store', key: 'prod/missing' })).toBe('later');
  });

  it('treats an empty secret as a config_error telling how to set it', async () => {
    sm.on(GetSecretValueCommand).resolves({});
    await expect(newResolver().resolve({ source: 'store', key: 'prod/empty' })).rejects.toMatchObject({
      code: 'config_error',
      message: expect.stringContaining('put-secret-value'),
    });
  });

  it('decodes a binary secret', async () => {
    sm.on(GetSecretValueCommand).resolves({ SecretBinary: new TextEncoder().encode('bin-value') });
    expect(await newResolver().resolve({ source: 'store', key: 'b' })).toBe('bin-value');
  });

  it('refuses env() sources', async () => {
    await expect(newResolver().resolve({ source: 'env', key: 'X' })).rejects.toMatchObject({ code: 'config_error' });
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(0);
  });
});
