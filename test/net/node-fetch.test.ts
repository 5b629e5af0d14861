import { brotliCompressSync, gzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { nodeFetch } from '../../shared/net/node-fetch.js';
import { freePort } from '../helpers/free-port.js';
import { rejectionOf } from '../helpers/rejection.js';
import { startServer } from '../llm/scripted-http-server.js';

describe('nodeFetch: fetch over node:http', () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => {
    await server.close();
  });
  afterEach(() => {
    server.seen.length = 0;
    server.handle((_req, res) => res.end('ok'));
  });

  it('sends the method, headers in any form and a string body with its length; returns status, headers and body', async () => {
    // Prepare
    server.handle((_req, res) => {
      res.statusMessage = 'Created Here';
      res.setHeader('x-multi', ['a', 'b']);
      res.writeHead(201, { 'content-type': 'application/json', 'request-id': 'req_1' });
      res.end('{"ok":true}');
    });
    // Act
    const fromHeaders = await nodeFetch(`${server.url}/v1/messages?beta=true`, {
      method: 'post',
      headers: new Headers({ 'x-api-key': 'k1', 'content-type': 'application/json' }),
      body: '{"a":"é"}',
    });
    await nodeFetch(server.url, { headers: { 'x-api-key': 'k2' } });
    await nodeFetch(server.url, { headers: [['x-api-key', 'k3']] });
    // Assess
    expect(fromHeaders.status).toBe(201);
    expect(fromHeaders.ok).toBe(true);
    expect(fromHeaders.statusText).toBe('Created Here');
    expect(fromHeaders.headers.get('request-id')).toBe('req_1');
    expect(fromHeaders.headers.get('x-multi')).toBe('a, b');
    expect(await fromHeaders.json()).toEqual({ ok: true });
    const [post, second, third] = server.seen;
    expect(post).toMatchObject({ method: 'POST', url: '/v1/messages?beta=true', body: '{"a":"é"}' });
    expect(post?.headers).toMatchObject({ 'x-api-key': 'k1', 'content-type': 'application/json', 'content-length': String(Buffer.byteLength('{"a":"é"}')) });
    expect(second).toMatchObject({ method: 'GET', headers: { 'x-api-key': 'k2' } });
    expect(third?.headers['x-api-key']).toBe('k3');
  });

  it('puts a request with plain headers on the wire without touching the global Headers, whose first use loads undici', async () => {
    // Prepare: a getter in front of the global Headers records any use
    const original = Object.getOwnPropertyDescriptor(globalThis, 'Headers')!;
    let used = false;
    Object.defineProperty(globalThis, 'Headers', {
      configurable: true,
      get() {
        used = true;
        return original.get ? original.get.call(globalThis) : original.value;
      },
    });
    let usedBeforeTheRequestArrived: boolean | undefined;
    server.handle((_req, res) => {
      usedBeforeTheRequestArrived = used;
      res.end('ok');
    });
    // Act
    try {
      const response = await nodeFetch(server.url, { method: 'POST', headers: { 'X-Token': ' t\t', 'x-token': 'u', Accept: 'application/json' }, body: 'b' });
      expect(await response.text()).toBe('ok');
    } finally {
      Object.defineProperty(globalThis, 'Headers', original);
    }
    // Assess: the same headers Headers would have made (names lower-cased, values trimmed, repeats joined)
    expect(usedBeforeTheRequestArrived).toBe(false);
    expect(server.seen[0]?.headers).toMatchObject({
      'x-token': 't, u',
      accept: 'application/json',
      'content-type': 'text/plain;charset=UTF-8',
      'content-length': '1',
    });
  });

  it('refuses a header pair that is not a name and a value, and a header name node:http cannot send', async () => {
    expect(await rejectionOf(nodeFetch(server.url, { headers: [['x-only-name']] as unknown as [string, string][] }))).toBeInstanceOf(TypeError);
    expect(await rejectionOf(nodeFetch(server.url, { headers: { 'bad name': 'x' } }))).toBeInstanceOf(TypeError);
    expect(server.seen).toHaveLength(0);
  });

  it('takes the URL, method, headers and body of a Request', async () => {
    await nodeFetch(new Request(`${server.url}/r`, { method: 'PUT', headers: { 'x-from': 'request' }, body: 'payload' }));
    expect(server.seen[0]).toMatchObject({ method: 'PUT', url: '/r', body: 'payload', headers: { 'x-from': 'request' } });
  });

  it('streams the response body as it arrives, before the response ends', async () => {
    // Prepare: the server sends the second chunk only once the client has read the first
    let firstRead!: () => void;
    const readFirst = new Promise<void>((resolve) => (firstRead = resolve));
    server.handle(async (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('event: one\n\n');
      await readFirst;
      res.end('event: two\n\n');
    });
    // Act
    const response = await nodeFetch(server.url);
    const reader = response.body!.getReader();
    const first = await reader.read();
    firstRead();
    let rest = '';
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) rest += Buffer.from(chunk.value).toString('utf8');
    // Assess
    expect(Buffer.from(first.value).toString('utf8')).toBe('event: one\n\n');
    expect(rest).toBe('event: two\n\n');
  });

  it('pipes a stream body and serialises bytes, URLSearchParams and Blob bodies with their content type', async () => {
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('part 1, '));
        controller.enqueue(new TextEncoder().encode('part 2'));
        controller.close();
      },
    });
    await nodeFetch(server.url, { method: 'POST', body: stream, duplex: 'half' });
    await nodeFetch(server.url, { method: 'POST', body: new TextEncoder().encode('bytes') });
    await nodeFetch(server.url, { method: 'POST', body: new URLSearchParams({ q: 'a b' }) });
    await nodeFetch(server.url, { method: 'POST', body: new Blob(['{"b":1}'], { type: 'application/json' }) });
    const [streamed, bytes, form, blob] = server.seen;
    expect(streamed?.body).toBe('part 1, part 2');
    expect(streamed?.headers['transfer-encoding']).toBe('chunked');
    expect(bytes).toMatchObject({ body: 'bytes', headers: { 'content-length': '5' } });
    expect(form).toMatchObject({ body: 'q=a+b', headers: { 'content-type': 'application/x-www-form-urlencoded;charset=UTF-8' } });
    expect(blob).toMatchObject({ body: '{"b":1}', headers: { 'content-type': 'application/json' } });
  });

  it('decodes gzip and brotli bodies', async () => {
    const text = 'compressed '.repeat(200);
    server.handle((req, res) => {
      const br = req.url === '/br';
      res.writeHead(200, { 'content-encoding': br ? 'br' : 'gzip' });
      res.end(br ? brotliCompressSync(text) : gzipSync(text));
    });
    expect(await (await nodeFetch(`${server.url}/gz`)).text()).toBe(text);
    expect(await (await nodeFetch(`${server.url}/br`)).text()).toBe(text);
  });

  it('gives no body for 204 and HEAD, and returns a redirect instead of following it', async () => {
    server.handle((req, res) => {
      if (req.url === '/moved') res.writeHead(302, { location: '/elsewhere' }).end();
      else if (req.method === 'HEAD') res.writeHead(200, { 'content-length': '10' }).end();
      else res.writeHead(204).end();
    });
    expect((await nodeFetch(server.url, { method: 'DELETE' })).body).toBeNull();
    expect((await nodeFetch(server.url, { method: 'HEAD' })).body).toBeNull();
    const moved = await nodeFetch(`${server.url}/moved`);
    expect(moved.status).toBe(302);
    expect(moved.headers.get('location')).toBe('/elsewhere');
    expect(server.seen.map((s) => s.url)).not.toContain('/elsewhere');
  });

  it('reuses one kept-alive connection for consecutive requests', async () => {
    const own = await startServer();
    try {
      for (let i = 0; i < 3; i++) await (await nodeFetch(own.url)).text();
      expect(own.seen).toHaveLength(3);
      expect(own.connections()).toBe(1);
    } finally {
      await own.close();
    }
  });

  it('rejects with the AbortError of an already aborted signal without sending anything', async () => {
    const controller = new AbortController();
    controller.abort();
    const error = await rejectionOf(nodeFetch(server.url, { signal: controller.signal }));
    expect(error.name).toBe('AbortError');
    expect(server.seen).toHaveLength(0);
  });

  it('rejects with an AbortError when aborted before the headers, and closes the request', async () => {
    // Prepare: a server that never answers, says when the request has arrived, and learns when the client goes away
    let arrived!: () => void;
    const requestArrived = new Promise<void>((resolve) => (arrived = resolve));
    let closed!: () => void;
    const clientGone = new Promise<void>((resolve) => (closed = resolve));
    server.handle((req) => {
      req.socket.once('close', closed);
      arrived();
    });
    const controller = new AbortController();
    // Act: abort once the server holds the request, before any header came back
    const pending = nodeFetch(server.url, { signal: controller.signal });
    await requestArrived;
    controller.abort();
    // Assess
    expect((await rejectionOf(pending)).name).toBe('AbortError');
    await clientGone;
  });

  it('fails the body with an AbortError when aborted while the body streams', async () => {
    server.handle((_req, res) => {
      res.writeHead(200);
      res.write('first');
    });
    const controller = new AbortController();
    const response = await nodeFetch(server.url, { signal: controller.signal });
    const reader = response.body!.getReader();
    await reader.read();
    controller.abort();
    expect((await rejectionOf(reader.read())).name).toBe('AbortError');
  });

  it('rejects a refused connection with TypeError "fetch failed" and the cause, as the global fetch does', async () => {
    const port = await freePort();
    const error = await rejectionOf(nodeFetch(`http://127.0.0.1:${port}/`));
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toBe('fetch failed');
    expect((error.cause as NodeJS.ErrnoException).code).toBe('ECONNREFUSED');
  });

  it('refuses a protocol other than http and https', async () => {
    const error = await rejectionOf(nodeFetch('file:///etc/passwd'));
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toMatch(/unsupported protocol file:/);
  });
});
