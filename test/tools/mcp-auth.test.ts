/** `auth` on a remote MCP server: the named secret goes out as a Bearer token and never into an error. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createToolRegistry } from '../../shared/tools/registry.js';
import { startHttpMcpServer, type HttpMcpServer } from '../helpers/mcp-servers/start-http-server.js';
import { client, ctxFor, envSecret, irWith, server, vaultFor } from './fixtures.js';

const TOKEN = 'mcp-bearer-3d4c5b6a';

describe('MCP auth', () => {
  let remote: HttpMcpServer;
  beforeAll(async () => {
    remote = await startHttpMcpServer('streamable-http', { token: TOKEN });
  });
  afterAll(() => remote.stop());

  const registryWith = (value: string) => {
    const ir = irWith({
      servers: [server('secure', { transport: 'streamable-http', url: remote.url, auth: 'mcp-token' })],
      clients: ['kit'],
      extra: [client('kit', ['secure']), envSecret('mcp-token', 'MCP_TOKEN')],
    });
    return createToolRegistry(ir, { secrets: vaultFor(ir, { MCP_TOKEN: value }), mcpConnectTimeoutMs: 5_000 });
  };

  it('sends the secret as a Bearer token', async () => {
    const registry = registryWith(TOKEN);

    const result = await registry.call('bot', 'secure__add', { a: 1, b: 2 }, ctxFor());
    await registry.close();

    expect(result).toEqual({ ok: true, output: { sum: 3 } });
    expect((await remote.stats()).auth).toContain(`Bearer ${TOKEN}`);
  });

  it('reports a refused token as an error result without the token', async () => {
    const wrong = 'wrong-token-9f8e7d6c';
    const registry = registryWith(wrong);

    const offered = await registry.definitionsFor('bot');
    const result = await registry.call('bot', 'secure__add', { a: 1, b: 2 }, ctxFor());
    await registry.close();

    expect(offered).toEqual([]);
    expect(result.ok).toBe(false);
    expect((result as { error: string }).error).toContain('not available to agent "bot"');
    expect((result as { error: string }).error).not.toContain(wrong);
  });
});
