import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IRTool } from '../../shared/ir/types.js';
import { createToolRegistry } from '../../shared/tools/registry.js';
import { startHttpEchoServer, type HttpEchoServer } from '../helpers/http-echo-server.js';
import { ctxFor, envSecret, irWith, skill, vaultFor } from './fixtures.js';

type HttpTool = Extract<IRTool, { type: 'http' }>;
const TOKEN = 'tok-7f3a9c1e-very-secret';

let echo: HttpEchoServer;
beforeAll(async () => {
  echo = await startHttpEchoServer();
});
afterAll(() => echo.close());

function httpTool(attrs: Partial<HttpTool>): HttpTool {
  return { type: 'http', method: 'GET', url: `${echo.url}/echo`, headers: {}, timeout_ms: 5_000, ...attrs };
}

/** A registry with one http skill "req" and the secret "api-token". */
function registryFor(tool: HttpTool, options: { maxOutputBytes?: number } = {}) {
  const ir = irWith({ skills: [skill('req', tool)], extra: [envSecret('api-token', 'API_TOKEN')] });
  return createToolRegistry(ir, { secrets: vaultFor(ir, { API_TOKEN: TOKEN }), ...options });
}

describe('http executor', () => {
  it('URL-encodes fields in the url and fills headers and a JSON body', async () => {
    const registry = registryFor(
      httpTool({
        method: 'POST',
        url: `${echo.url}/echo/{{id}}?q={{query}}`,
        headers: { Authorization: 'Bearer {{secret.api-token}}', 'X-Mode': '{{mode}}' },
        body_template: '{"note": "{{note}}", "n": {{n}}}',
      }),
    );

    const result = await registry.call('bot', 'req', { id: 'a/b c', query: 'x&y=z', mode: 'fast', note: 'say "hi"', n: 3 }, ctxFor());

    expect(result.ok).toBe(true);
    const seen = (result as { output: { url: string; headers: Record<string, string>; body: string } }).output;
    expect(seen.url).toBe('/echo/a%2Fb%20c?q=x%26y%3Dz');
    expect(seen.headers['x-mode']).toBe('fast');
    expect(JSON.parse(seen.body)).toEqual({ note: 'say "hi"', n: 3 });
    expect(echo.requests.at(-1)!.headers.authorization).toBe(`Bearer ${TOKEN}`);
  });

  it('returns a JSON body as JSON and a text body as text', async () => {
    const json = await registryFor(httpTool({})).call('bot', 'req', {}, ctxFor());
    const text = await registryFor(httpTool({ url: `${echo.url}/text` })).call('bot', 'req', {}, ctxFor());

    expect(json).toMatchObject({ ok: true, output: { method: 'GET', url: '/echo' } });
    expect(text).toEqual({ ok: true, output: '  plain words  ' });
  });

  it('turns a non-2xx status into an error with the status and a body excerpt, never the secret', async () => {
    const registry = registryFor(
      httpTool({ url: `${echo.url}/status/503?token={{secret.api-token}}`, headers: { Authorization: 'Bearer {{secret.api-token}}' } }),
    );

    const result = await registry.call('bot', 'req', {}, ctxFor());

    expect(result.ok).toBe(false);
    const error = (result as { error: string }).error;
    expect(error).toContain('HTTP 503');
    expect(error).toContain('failure body for status 503');
    expect(error).not.toContain(TOKEN);
  });

  it('cuts a body over the cap and says so', async () => {
    const registry = registryFor(httpTool({ url: `${echo.url}/big/5000` }), { maxOutputBytes: 1024 });

    const result = await registry.call('bot', 'req', {}, ctxFor());

    expect(result.ok).toBe(true);
    const output = (result as { output: string }).output;
    expect(output.startsWith('x'.repeat(1024))).toBe(true);
    expect(output).toContain('[response body cut at 1 KiB]');
    expect(output.length).toBeLessThan(1100);
  });

  it('times out with the tool timeout', async () => {
    const registry = registryFor(httpTool({ url: `${echo.url}/slow/3000`, timeout_ms: 200 }));

    const result = await registry.call('bot', 'req', {}, ctxFor());

    expect(result).toEqual({ ok: false, error: expect.stringContaining('timed out after 200 ms') });
  });

  it('reports an unreachable service as an actionable error', async () => {
    const closed = await startHttpEchoServer();
    await closed.close();
    const registry = registryFor(httpTool({ url: `${closed.url}/nothing` }));

    const result = await registry.call('bot', 'req', {}, ctxFor());

    expect(result).toEqual({ ok: false, error: `HTTP request GET ${closed.url}/nothing failed: connection refused (is the service running?).` });
  });
});
