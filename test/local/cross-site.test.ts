/**
 * The key-less dev server cannot be driven by web pages. In headless
 * Chromium, a page of another origin (a second server on another loopback
 * port) fires the requests a browser sends anywhere without asking — a
 * `no-cors` `text/plain` fetch, a body-less POST, a form post (urlencoded, and
 * `text/plain` whose body is valid JSON) — and a DNS-rebound page (its name
 * now resolving to 127.0.0.1) posts JSON to its "own" origin. The server's
 * access log and the runtime's call record prove no agent ran and no session
 * was made. Without the origin guard, the JSON-only body rule alone still
 * refuses every request that carries a body. A node client sending a foreign
 * `Host` is refused; loopback names are served.
 */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { startServer, type RunningServer } from '../../local/server.js';
import { createApp } from '../../shared/http/app.js';
import { FakeRuntime } from '../helpers/fake-runtime.js';
import { recordingLogger } from '../http/helpers.js';
import { launchChromium } from './chromium.js';

const INVOKE = '/v1/agents/echo/invoke';
const SESSIONS = '/v1/agents/echo/sessions';

/** The attacker's page: every request a page may send to another origin without a preflight. */
function attackPage(target: string, withBodyless: boolean): string {
  const json = JSON.stringify;
  return `<!doctype html><html><body>
<iframe name="sink1"></iframe><iframe name="sink2"></iframe>
<form id="urlencoded" method="POST" action="${target}${INVOKE}" target="sink1"><input name="message" value="hi"></form>
<form id="plain" method="POST" enctype="text/plain" action="${target}${INVOKE}" target="sink2"><input name='{"message":"hi' value='"}'></form>
<script>
fetch(${json(target + INVOKE)}, { method: 'POST', mode: 'no-cors', headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ message: 'hi' }) });
${withBodyless ? `fetch(${json(target + SESSIONS)}, { method: 'POST', mode: 'no-cors' });` : ''}
document.getElementById('urlencoded').submit();
document.getElementById('plain').submit();
</script></body></html>`;
}

/** Serves one HTML page on a loopback port of its own: another origin than the API's. */
async function pageServer(html: () => string): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(html()));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, close: () => closeServer(server) };
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** GET with an explicit Host header through node's http client. */
function getWithHost(port: number, path: string, host: string): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { host } }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the key-less dev server and other origins', () => {
  let browser: Browser;
  const closing: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    // Chromium's own Local Network Access check would also stop the rebound page; it is off so the server's guard is what is tested
    // (other browsers, and older Chromiums, have no such check).
    browser = await launchChromium(['--disable-features=LocalNetworkAccessChecks', '--host-resolver-rules=MAP evil.example 127.0.0.1']);
  });
  afterEach(async () => {
    await Promise.all(closing.splice(0).map((close) => close()));
  });
  afterAll(async () => {
    await browser?.close();
  });

  async function devServer() {
    const runtime = new FakeRuntime();
    const log = recordingLogger();
    const server: RunningServer = await startServer({ runtime: () => runtime, port: 0, apiKeys: false, logger: log.logger, notice: () => {} });
    closing.push(() => server.close());
    return { runtime, log, server, port: Number(new URL(server.url).port) };
  }

  it('runs nothing for the simple requests of a page on another origin', async () => {
    // Prepare
    const { runtime, log, server } = await devServer();
    const page = await pageServer(() => attackPage(server.url, true));
    closing.push(() => page.close());
    const tab = await browser.newPage();
    closing.push(() => tab.close());
    // Act
    await tab.goto(page.url);
    // Assess: all four requests reached the server and were refused there.
    await expect.poll(() => log.requests(INVOKE).length + log.requests(SESSIONS).length, { timeout: 15_000 }).toBe(4);
    expect([...log.requests(INVOKE), ...log.requests(SESSIONS)].map((r) => r.status)).toEqual([403, 403, 403, 403]);
    expect(runtime.calls).toEqual([]);
    expect(log.records.filter((r) => r.level === 'error')).toEqual([]);
  });

  it('refuses a DNS-rebound page posting JSON to its own name', async () => {
    // Prepare: the attacker's page is served for evil.example:<port>; afterwards the name resolves to 127.0.0.1 (the launch rule).
    const { runtime, log, port } = await devServer();
    const origin = `http://evil.example:${port}`;
    const tab = await browser.newPage();
    closing.push(() => tab.close());
    await tab.route(`${origin}/`, (route) => route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>evil</title>' }));
    await tab.goto(`${origin}/`);
    // Act: a same-origin request as far as the browser knows, so no CORS applies.
    const status = await tab.evaluate(
      async (path) => (await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ message: 'hi' }) })).status,
      INVOKE,
    );
    // Assess
    expect(status).toBe(403);
    expect(log.requests(INVOKE)).toMatchObject([{ status: 403 }]);
    expect(runtime.calls).toEqual([]);
  });

  it('still refuses every cross-origin request with a body when only the JSON body rule stands', async () => {
    // Prepare: the same app without the origin guard (as a key-less server bound elsewhere with --insecure would be).
    const runtime = new FakeRuntime();
    const log = recordingLogger();
    const app = createApp({ runtime: () => runtime, apiKeys: false, logger: log.logger });
    const api = await new Promise<Server>((resolve) => {
      const s = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(s)) as Server;
    });
    closing.push(() => closeServer(api));
    const page = await pageServer(() => attackPage(`http://127.0.0.1:${(api.address() as AddressInfo).port}`, false));
    closing.push(() => page.close());
    const tab = await browser.newPage();
    closing.push(() => tab.close());
    // Act
    await tab.goto(page.url);
    // Assess
    await expect.poll(() => log.requests(INVOKE).length, { timeout: 15_000 }).toBe(3);
    expect(log.requests(INVOKE).map((r) => r.status)).toEqual([415, 415, 415]);
    expect(runtime.calls).toEqual([]);
  });

  it('refuses a foreign Host header (DNS rebinding) and serves loopback names', async () => {
    const { port } = await devServer();
    const refused = await getWithHost(port, '/v1/agents', `evil.example:${port}`);
    expect(refused).toEqual({
      status: 403,
      body: {
        error: 'forbidden',
        message:
          'This server has no API keys and answers only requests addressed to localhost, 127.0.0.1 or [::1]; set AGENTSPEC_API_KEYS to serve other names.',
        details: { host: `evil.example:${port}` },
      },
    });
    expect((await getWithHost(port, '/healthz', 'evil.example')).status).toBe(403);
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`, `app.localhost:${port}`, '127.0.0.2', 'LOCALHOST']) {
      expect((await getWithHost(port, '/v1/agents', host)).status, host).toBe(200);
    }
  });
});
