import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AgentSpecError } from '../../shared/errors.js';
import type { IRSecret } from '../../shared/ir/types.js';
import { EnvSecretResolver } from '../../shared/secrets/env-resolver.js';
import { FileSecretResolver } from '../../shared/secrets/file-resolver.js';
import { Redactor } from '../../shared/secrets/redactor.js';
import { SecretVault } from '../../shared/secrets/vault.js';
import type { SecretResolver } from '../../shared/secrets/types.js';
import { irOf } from '../helpers/ir-builder.js';

const secret = (name: string, source: 'env' | 'store', key: string): IRSecret => ({
  kind: 'Secret',
  name,
  fqn: `test/Secret/${name}`,
  hash: '0',
  attributes: { source, key },
});

function secretsFile(content: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'agentspec-secrets-')), 'secrets.json');
  writeFileSync(file, content);
  return file;
}

const isConfigError = (pattern: RegExp) => (e: unknown) => e instanceof AgentSpecError && e.code === 'config_error' && pattern.test(e.message);

describe('EnvSecretResolver', () => {
  it('reads a variable and names the missing one with how to set it', async () => {
    const resolver = new EnvSecretResolver({ API_KEY: 'abc12345' });

    expect(await resolver.resolve({ source: 'env', key: 'API_KEY' })).toBe('abc12345');
    await expect(resolver.resolve({ source: 'env', key: 'MISSING_KEY' })).rejects.toSatisfy(isConfigError(/MISSING_KEY is not set; export MISSING_KEY=/));
  });
});

describe('FileSecretResolver', () => {
  it('reads a store path from the JSON file named by AGENTSPEC_SECRETS_FILE', async () => {
    const file = secretsFile(JSON.stringify({ 'prod/api-token': 'from-file-value' }));
    const resolver = new FileSecretResolver({ env: { AGENTSPEC_SECRETS_FILE: file } });

    expect(await resolver.resolve({ source: 'store', key: 'prod/api-token' })).toBe('from-file-value');
  });

  it('explains a missing key, a missing file and a malformed file without quoting the content', async () => {
    const withOther = new FileSecretResolver({ file: secretsFile(JSON.stringify({ other: 'other-value-123' })) });
    const missing = new FileSecretResolver({ file: '/nonexistent/secrets.json' });
    const broken = new FileSecretResolver({ file: secretsFile('{"a": "leaky-value-999", ') });

    await expect(withOther.resolve({ source: 'store', key: 'x/y' })).rejects.toSatisfy(
      isConfigError(/store\("x\/y"\) has no string value in .*add "x\/y": "<value>"/),
    );
    await expect(missing.resolve({ source: 'store', key: 'x/y' })).rejects.toSatisfy(isConfigError(/does not exist or is unreadable/));
    await expect(broken.resolve({ source: 'store', key: 'a' })).rejects.toSatisfy(
      (e: unknown) => isConfigError(/is not valid JSON/)(e) && !(e as Error).message.includes('leaky-value-999'),
    );
  });

  it('defaults to .agentspec/secrets.json', () => {
    expect(new FileSecretResolver({ env: {} }).file).toBe('.agentspec/secrets.json');
  });
});

describe('SecretVault', () => {
  it('resolves each source through its resolver once, and redacts what it resolved', async () => {
    let storeCalls = 0;
    const store: SecretResolver = { resolve: async () => (storeCalls++, 'store-value-4242') };
    const ir = irOf(secret('api', 'env', 'API'), secret('db', 'store', 'prod/db'));
    const vault = new SecretVault(ir, { env: new EnvSecretResolver({ API: 'env-value-1717' }), store });

    expect(await vault.get('api')).toBe('env-value-1717');
    expect(await vault.get('db')).toBe('store-value-4242');
    await vault.get('db');

    expect(storeCalls).toBe(1);
    expect(vault.redact('a env-value-1717 b store-value-4242')).toBe('a [REDACTED:api] b [REDACTED:db]');
  });

  it('rejects an undeclared secret and a missing value with config errors naming the secret', async () => {
    const vault = new SecretVault(irOf(secret('api', 'env', 'API')), { env: new EnvSecretResolver({}) });

    await expect(vault.get('nope')).rejects.toSatisfy(isConfigError(/Secret "nope" is not declared/));
    await expect(vault.get('api')).rejects.toSatisfy(isConfigError(/Secret "api" \(env\("API"\)\) is not available: Environment variable API is not set/));
  });
});

describe('Redactor', () => {
  it('replaces every registered value, the longest first, in strings and nested values', () => {
    const redactor = new Redactor();
    redactor.register('short', 'abcd');
    redactor.register('long', 'abcdefgh');
    redactor.register('tiny', 'ab');

    expect(redactor.redact('x abcdefgh y abcd z ab')).toBe('x [REDACTED:long] y [REDACTED:short] z ab');
    expect(redactor.redactDeep({ list: ['abcd'], nested: { v: 'key=abcdefgh' }, n: 1 })).toEqual({
      list: ['[REDACTED:short]'],
      nested: { v: 'key=[REDACTED:long]' },
      n: 1,
    });
  });

  it('escapes values that contain regular expression characters', () => {
    const redactor = new Redactor();
    redactor.register('weird', 'a.b*c(d)');

    expect(redactor.redact('a.b*c(d) and aXbbbcd')).toBe('[REDACTED:weird] and aXbbbcd');
  });
});
