/** API-key authentication: both headers, wrong and missing keys, open routes, keys from the environment. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiKeyChecker, apiKeysFromEnv } from '../../shared/http/auth.js';
import { appWith, post } from './helpers.js';

describe('API keys', () => {
  const { app } = appWith({}, { apiKeys: ['key-one', 'key-two'] });

  it('accepts Authorization: Bearer and X-API-Key with any configured key', async () => {
    const bearer = await app.request('/v1/agents', { headers: { authorization: 'Bearer key-two' } });
    const header = await app.request('/v1/agents/echo/invoke', post({ message: 'hi' }, { 'x-api-key': 'key-one' }));
    expect(bearer.status).toBe(200);
    expect(header.status).toBe(200);
  });

  it.each([
    ['no key', {}, 'An API key is required: send "Authorization: Bearer <key>" or "X-API-Key: <key>".'],
    ['a wrong key', { authorization: 'Bearer key-three' }, 'The API key is not valid.'],
    ['a prefix of a key', { 'x-api-key': 'key-' }, 'The API key is not valid.'],
    ['a key in the wrong scheme', { authorization: 'Basic key-one' }, 'An API key is required: send "Authorization: Bearer <key>" or "X-API-Key: <key>".'],
  ])('answers unauthorized 401 for %s', async (_label, headers, message) => {
    const res = await app.request('/v1/agents/echo/invoke', post({ message: 'hi' }, headers));
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: 'unauthorized', message, details: {} });
  });

  it('protects every route but /healthz, including unknown routes', async () => {
    expect((await app.request('/healthz')).status).toBe(200);
    for (const path of ['/v1/agents', '/v1/metrics', '/openapi.json', '/v1/pipelines', '/nowhere']) {
      expect((await app.request(path)).status, path).toBe(401);
    }
  });
});

describe('ApiKeyChecker', () => {
  it('compares fixed-size digests, so keys of any length are checked on the constant-time path', () => {
    const checker = new ApiKeyChecker(['short', 'a-much-longer-key-'.repeat(10)]);
    expect(checker.matches('short')).toBe(true);
    expect(checker.matches('a-much-longer-key-'.repeat(10))).toBe(true);
    expect(checker.matches('shor')).toBe(false);
    expect(checker.matches('')).toBe(false);
  });

  it('accepts no key at all when its list is empty', () => {
    const checker = new ApiKeyChecker([]);
    expect(checker.matches('')).toBe(false);
    expect(() => checker.check(new Headers({ authorization: 'Bearer anything' }))).toThrow('The API key is not valid.');
  });
});

describe('AGENTSPEC_API_KEYS', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('provides comma-separated keys when the app is given none', async () => {
    vi.stubEnv('AGENTSPEC_API_KEYS', ' alpha , ,beta');
    expect(apiKeysFromEnv()).toEqual(['alpha', 'beta']);
    const { app } = appWith({}, { apiKeys: undefined });
    expect((await app.request('/v1/agents', { headers: { 'x-api-key': 'beta' } })).status).toBe(200);
    expect((await app.request('/v1/agents')).status).toBe(401);
  });
});
