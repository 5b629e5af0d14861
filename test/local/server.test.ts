/** The local server on a real socket: loopback-only default, refusal without keys, disconnect cancels, draining close. */
import { request, type IncomingMessage } from 'node:http';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createParser } from 'eventsource-parser';
import { startServer, type RunningServer } from '../../local/server.js';
import { composeService } from '../../shared/compose/compose-service.js';
import { AUTH_THROTTLE_DEFAULTS } from '../../shared/http/auth-throttle.js';
import { isLoopback } from '../../shared/http/local-only.js';
import { compile } from '../../shared/lang/index.js';
import { SILENT_LOGGER } from '../../shared/telemetry/logger.js';
import { FakeRuntime, slowScript, textScript } from '../helpers/fake-runtime.js';

const servers: RunningServer[] = [];
afterEach(async () => {
  vi.unstubAllEnvs();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function start(runtime: FakeRuntime, options: Partial<Parameters<typeof startServer>[0]> = {}) {
  const notices: string[] = [];
  const server = await startServer({ runtime: () => runtime, port: 0, apiKeys: false, logger: SILENT_LOGGER, notice: (l) => notices.push(l), ...options });
  servers.push(server);
  return { server, notices };
}

async function waitFor(predicate: () => boolean, ms = 3000): Promise<void> {
  const until = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('startServer', () => {
  it('serves loopback without keys and says so at start', async () => {
    const { server, notices } = await start(new FakeRuntime());
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(notices.join('\n')).toContain('No API keys configured (AGENTSPEC_API_KEYS): serving on loopback 127.0.0.1 only');
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  it('refuses a non-loopback address without keys unless insecure', async () => {
    await expect(startServer({ runtime: () => new FakeRuntime(), host: '0.0.0.0', port: 0, apiKeys: false, notice: () => {} })).rejects.toMatchObject({
      code: 'config_error',
      message: expect.stringContaining('Refusing to serve on 0.0.0.0 without API keys'),
    });
    const { notices } = await start(new FakeRuntime(), { host: '0.0.0.0', insecure: true });
    expect(notices.join('\n')).toContain('WITHOUT authentication (--insecure)');
  });

  it('serves a non-loopback address when keys are configured', async () => {
    const { server } = await start(new FakeRuntime(), { host: '0.0.0.0', apiKeys: ['k'] });
    const port = new URL(server.url).port;
    expect((await fetch(`http://127.0.0.1:${port}/v1/agents`)).status).toBe(401);
    expect((await fetch(`http://127.0.0.1:${port}/v1/agents`, { headers: { 'x-api-key': 'k' } })).status).toBe(200);
  });

  it.each([
    ['AGENTSPEC_API_KEYS set to ","', () => (vi.stubEnv('AGENTSPEC_API_KEYS', ','), {})],
    ['AGENTSPEC_API_KEYS set to ""', () => (vi.stubEnv('AGENTSPEC_API_KEYS', ''), {})],
    ['an empty apiKeys list', () => ({ apiKeys: [] })],
  ])('refuses to start when keys are required but none is given: %s', async (_label, options) => {
    await expect(startServer({ runtime: () => new FakeRuntime(), port: 0, notice: () => {}, ...options() })).rejects.toMatchObject({
      code: 'config_error',
      message: expect.stringContaining('API keys are required but none is configured'),
    });
  });

  it('throttles a client address after repeated wrong keys, before looking at its key', async () => {
    const { server } = await start(new FakeRuntime(), { apiKeys: ['right'] });
    const agents = (key: string) => fetch(`${server.url}/v1/agents`, { headers: { authorization: `bearer ${key}` } });
    for (let i = 0; i < AUTH_THROTTLE_DEFAULTS.maxFailures; i++) expect((await agents(`wrong-${i}`)).status).toBe(401);
    const refused = await agents('right');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await refused.json()).toMatchObject({ error: 'rate_limited' });
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  it('serves a composed service, names its package and IR hash in /healthz, and closes its runtime', async () => {
    const { ir } = compile('package "p" version "1.2.3" lang "2.0"\nagent "solo" {\n  model "claude-haiku-4-5"\n}\n', { file: 'p.ias' });
    const service = await composeService({ ir: ir! });
    const server = await startServer({ runtime: () => service.runtime, port: 0, apiKeys: false, logger: SILENT_LOGGER, notice: () => {} });
    try {
      const body = (await (await fetch(`${server.url}/v1/agents`)).json()) as { agents: { name: string }[] };
      expect(body.agents.map((a) => a.name)).toEqual(['solo']);
      const health = await (await fetch(`${server.url}/healthz`)).json();
      expect(health).toEqual({
        status: 'ok',
        uptime_s: expect.any(Number),
        agents: 1,
        version: '0.1.0',
        package: { name: 'p', version: '1.2.3' },
        ir_hash: ir!.hash,
      });
    } finally {
      await server.close();
    }
  });

  it('knows loopback addresses', () => {
    expect(['127.0.0.1', '127.1.2.3', '::1', 'localhost'].every(isLoopback)).toBe(true);
    expect(['0.0.0.0', '10.0.0.1', '::', '128.0.0.1'].some(isLoopback)).toBe(false);
  });

  it('aborts the invocation when an SSE client disconnects', async () => {
    // Prepare
    const runtime = new FakeRuntime({
      agents: {
        chatty: textScript(
          Array.from({ length: 100 }, (_, i) => `part ${i} `),
          50,
        ),
      },
    });
    const { server } = await start(runtime);
    // Act: read the first event, then hang up (close the socket).
    const req = request(`${server.url}/v1/agents/chatty/stream`, { method: 'POST', headers: { 'content-type': 'application/json' } });
    req.on('error', () => {});
    req.end(JSON.stringify({ message: 'go' }));
    const res = await new Promise<IncomingMessage>((resolve) => req.on('response', resolve));
    await new Promise((resolve) => res.once('data', resolve));
    req.destroy();
    // Assess
    await waitFor(() => runtime.calls[0]!.aborted);
    expect(runtime.calls[0]!.finished).toBe(false);
  });

  it('aborts a JSON invocation when its client disconnects', async () => {
    const runtime = new FakeRuntime({ agents: { slow: slowScript(10_000) } });
    const { server } = await start(runtime);
    const req = request(`${server.url}/v1/agents/slow/invoke`, { method: 'POST', headers: { 'content-type': 'application/json' } });
    req.on('error', () => {});
    req.end(JSON.stringify({ message: 'go' }));
    await waitFor(() => runtime.calls.length === 1);
    req.destroy();
    await waitFor(() => runtime.calls[0]!.aborted);
  });

  it('drains in-flight streams on close, then closes the runtime and stops accepting', async () => {
    // Prepare
    const runtime = new FakeRuntime({ agents: { paced: textScript(['a', 'b', 'c', 'd'], 60) } });
    const { server } = await start(runtime);
    const res = await fetch(`${server.url}/v1/agents/paced/stream`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ message: 'go' }),
    });
    // Act
    const closing = server.close();
    const body = await res.text();
    await closing;
    // Assess
    expect(body).toContain('event: done');
    expect(runtime.closed).toBe(true);
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
  });

  it('bounds the drain: a stream outliving drainTimeoutMs is cut', async () => {
    const runtime = new FakeRuntime({ agents: { slow: slowScript(30_000) } });
    const { server } = await start(runtime, { drainTimeoutMs: 100 });
    const res = await fetch(`${server.url}/v1/agents/slow/stream`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ message: 'go' }),
    });
    const started = Date.now();
    await server.close();
    expect(Date.now() - started).toBeLessThan(5000);
    await expect(res.text()).rejects.toThrow();
    await waitFor(() => runtime.calls[0]!.aborted);
  });
});

describe('load', () => {
  it('completes 200 concurrent SSE streams with every event in order, and stays healthy', async () => {
    // Prepare
    const parts = Array.from({ length: 10 }, (_, i) => `t${i}`);
    const runtime = new FakeRuntime({ agents: { fast: textScript(parts, 1) } });
    const { server } = await start(runtime);
    // Act
    const runs = await Promise.all(
      Array.from({ length: 200 }, async (_, n) => {
        const res = await fetch(`${server.url}/v1/agents/fast/stream`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ message: `m${n}` }),
        });
        const events: { event?: string | undefined; id?: string | undefined; data: string }[] = [];
        const parser = createParser({ onEvent: (e) => events.push(e) });
        parser.feed(await res.text());
        return events;
      }),
    );
    // Assess
    for (const events of runs) {
      expect(events.map((e) => e.event)).toEqual(['run', ...parts.map(() => 'text'), 'done']);
      expect(events.map((e) => Number(e.id))).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
      expect(events.slice(1, 11).map((e) => JSON.parse(e.data).text)).toEqual(parts);
    }
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok' });
  });
});
