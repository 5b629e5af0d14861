/**
 * What the app refuses before any agent runs: bodies not declared JSON,
 * every request when keys are required but none is configured, and a client
 * that keeps presenting wrong keys; the local-only guard's name and origin
 * rules. Over `app.request`, with the entry points' connection bindings
 * (Node's socket, Lambda's request context) passed as `env`.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { apiKeysFromEnv } from '../../shared/http/auth.js';
import { AUTH_THROTTLE_DEFAULTS } from '../../shared/http/auth-throttle.js';
import { isLoopbackHost } from '../../shared/http/local-only.js';
import { DISCARD_MS } from '../../shared/http/read-body.js';
import { appWith, post, recordingLogger } from './helpers.js';

const INVOKE = '/v1/agents/echo/invoke';
const message = JSON.stringify({ message: 'hi' });

describe('request bodies must be JSON', () => {
  it.each(['application/json', 'application/json; charset=utf-8', 'Application/JSON;charset="UTF-8"', 'application/vnd.api+json'])(
    'accepts %s',
    async (type) => {
      const { app, runtime } = appWith();
      const res = await app.request(INVOKE, { method: 'POST', headers: { 'content-type': type }, body: message });
      expect(res.status).toBe(200);
      expect(runtime.calls).toHaveLength(1);
    },
  );

  it.each([
    ['text/plain', 'text/plain'],
    ['a form', 'application/x-www-form-urlencoded'],
    ['multipart', 'multipart/form-data; boundary=x'],
    ['JSON in another charset', 'application/json; charset=utf-16'],
    ['a look-alike', 'application/jsonp'],
  ])('refuses %s with unsupported_media_type 415 and runs nothing', async (_label, type) => {
    const { app, runtime } = appWith();
    const res = await app.request(INVOKE, { method: 'POST', headers: { 'content-type': type }, body: message });
    expect(res.status).toBe(415);
    expect(await res.json()).toEqual({
      error: 'unsupported_media_type',
      message: 'The request body must be JSON: send "Content-Type: application/json".',
      details: { content_type: type },
    });
    expect(runtime.calls).toEqual([]);
  });

  it('refuses a body without a type, and accepts a body-less POST without one', async () => {
    const { app, runtime } = appWith();
    const untyped = await app.request(INVOKE, { method: 'POST', body: new Blob([message]) });
    expect(untyped.status).toBe(415);
    expect(await untyped.json()).toMatchObject({ details: { content_type: 'none' } });
    expect(runtime.calls).toEqual([]);
    expect((await app.request('/v1/agents/echo/sessions', { method: 'POST' })).status).toBe(201);
  });
});

describe('an oversize body', () => {
  afterEach(() => vi.useRealTimers());

  it(`is discarded for at most ${DISCARD_MS / 1000} s, then answered 413 unread`, async () => {
    vi.useFakeTimers();
    const { app, runtime } = appWith({}, { bodyLimitBytes: 100 });
    // A client that sends more than the limit and then stalls.
    let sent = false;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (!sent) controller.enqueue(new Uint8Array(200));
        sent = true;
      },
    });
    let answered = false;
    const response = Promise.resolve(app.request(INVOKE, { method: 'POST', headers: { 'content-type': 'application/json' }, body, duplex: 'half' }));
    void response.then(() => (answered = true));
    await vi.advanceTimersByTimeAsync(DISCARD_MS - 1);
    expect(answered).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect((await response).status).toBe(413);
    expect(runtime.calls).toEqual([]);
  });
});

describe('API keys required but none configured', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('reads AGENTSPEC_API_KEYS: unset is no list, set but blank is an empty one', () => {
    vi.stubEnv('AGENTSPEC_API_KEYS', undefined);
    expect(apiKeysFromEnv()).toBeUndefined();
    for (const blank of ['', ',', ' , ,']) {
      vi.stubEnv('AGENTSPEC_API_KEYS', blank);
      expect(apiKeysFromEnv(), JSON.stringify(blank)).toEqual([]);
    }
  });

  it.each([
    ['AGENTSPEC_API_KEYS=","', () => (vi.stubEnv('AGENTSPEC_API_KEYS', ','), { apiKeys: undefined })],
    ['an empty list (a keys secret that parses to nothing)', () => ({ apiKeys: [] })],
  ])('refuses every request but /healthz for %s, and logs why', async (_label, options) => {
    const log = recordingLogger();
    const { app, runtime } = appWith({}, { ...options(), logger: log.logger });
    expect(log.records).toContainEqual(
      expect.objectContaining({ level: 'error', msg: expect.stringContaining('API keys are required but none is configured') }),
    );
    for (const headers of [{}, { authorization: 'Bearer ' }, { 'x-api-key': ',' }, { authorization: 'Bearer anything' }] as Record<string, string>[]) {
      expect((await app.request('/v1/agents', { headers })).status, JSON.stringify(headers)).toBe(401);
      expect((await app.request(INVOKE, post({ message: 'hi' }, headers))).status).toBe(401);
    }
    expect((await app.request('/healthz')).status).toBe(200);
    expect(runtime.calls).toEqual([]);
  });
});

describe('the Authorization scheme', () => {
  it.each(['Bearer', 'bearer', 'BEARER'])('accepts "%s <key>" (RFC 7235: the scheme is case-insensitive)', async (scheme) => {
    const { app } = appWith({}, { apiKeys: ['k1'] });
    expect((await app.request('/v1/agents', { headers: { authorization: `${scheme} k1` } })).status).toBe(200);
  });
});

describe('wrong-key throttle', () => {
  const { maxFailures } = AUTH_THROTTLE_DEFAULTS;
  /** The bindings @hono/node-server passes: the socket's peer address. */
  const fromNode = (address: string) => ({ incoming: { socket: { remoteAddress: address } } });
  /** The bindings Hono's Lambda adapter passes: the source IP of the Function URL request. */
  const fromLambda = (sourceIp: string) => ({ requestContext: { http: { sourceIp } } });
  const keyed = () => appWith({}, { apiKeys: ['right-key'] });
  const asKey = (key: string) => ({ headers: { 'x-api-key': key } });

  it.each([
    ['Node', fromNode('203.0.113.7'), fromNode('203.0.113.8')],
    ['Lambda', fromLambda('203.0.113.7'), fromLambda('203.0.113.8')],
  ])('refuses a client (%s) after too many wrong keys, even with the right key, and no other client', async (_label, guesser, other) => {
    const { app } = keyed();
    for (let i = 0; i < maxFailures; i++) expect((await app.request('/v1/agents', asKey(`guess-${i}`), guesser)).status).toBe(401);

    const refused = await app.request('/v1/agents', asKey('right-key'), guesser);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(59);
    expect(await refused.json()).toMatchObject({
      error: 'rate_limited',
      details: { max_failures: maxFailures, window_s: 60, retry_after_s: expect.any(Number) },
    });
    expect((await app.request(INVOKE, post({ message: 'hi' }), guesser)).status).toBe(429);
    expect((await app.request('/healthz', {}, guesser)).status).toBe(200);

    expect((await app.request('/v1/agents', asKey('right-key'), other)).status).toBe(200);
  });

  it('does not count requests without a key, nor right keys', async () => {
    const { app } = keyed();
    const client = fromNode('198.51.100.1');
    for (let i = 0; i < maxFailures * 2; i++) expect((await app.request('/v1/agents', {}, client)).status).toBe(401);
    for (let i = 0; i < maxFailures - 1; i++) await app.request('/v1/agents', asKey('wrong'), client);
    expect((await app.request('/v1/agents', asKey('right-key'), client)).status).toBe(200);
  });
});

describe('loopback Host names', () => {
  it.each(['localhost', 'localhost:8080', 'LocalHost.', 'app.localhost:3000', '127.0.0.1', '127.8.9.10:1', '[::1]:8080', '[::ffff:127.0.0.1]'])(
    'accepts %s',
    (host) => {
      expect(isLoopbackHost(host)).toBe(true);
    },
  );

  it.each(['', 'evil.example', 'localhost.evil.example', '127.0.0.1.evil.example', '10.0.0.1', '[::2]', '0.0.0.0', 'localhost@evil.example', 'a b'])(
    'refuses %j',
    (host) => {
      expect(isLoopbackHost(host)).toBe(false);
    },
  );

  it('guards an app built with localOnly: name, then origin', async () => {
    const { app, runtime } = appWith({}, { localOnly: true });
    const at = (headers: Record<string, string>) => app.request(INVOKE, post({ message: 'hi' }, headers));
    expect((await at({ host: 'evil.example' })).status).toBe(403);
    expect(await (await at({ host: '127.0.0.1:8080', origin: 'http://127.0.0.1:9999' })).json()).toEqual({
      error: 'forbidden',
      message: 'This server has no API keys and refuses requests from web pages of other origins.',
      details: { origin: 'http://127.0.0.1:9999' },
    });
    expect((await at({ host: '127.0.0.1:8080', origin: 'null' })).status).toBe(403);
    expect(runtime.calls).toEqual([]);
    expect((await at({ host: '127.0.0.1:8080', origin: 'http://127.0.0.1:8080' })).status).toBe(200);
    expect((await at({ host: 'localhost:8080' })).status).toBe(200);
  });
});
