/**
 * Tools that leak the secret `token` in an encoded form, one per tool kind.
 * Each takes `{encoding, fail}` (an `ENCODINGS` name) and answers
 * `leaked: <the form>` — as its result, or with `fail` as its error (stderr
 * and exit 1, a 500 body, an MCP `isError` result).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { z } from 'zod';
import type { IRResource, IRSkill } from '../../shared/ir/types.js';
import { LEAK_JS, LEAK_PYTHON, leakLine, type LeakInput } from '../helpers/secret-encodings.js';
import { client, envSecret, server, skill } from './fixtures.js';

export interface LocalServer {
  url: string;
  close(): Promise<void>;
}

/** An HTTP service answering a POST of `{secret, input}` with the leak line as text (status 500 when the input says `fail`). */
export function startLeakyHttpService(): Promise<LocalServer> {
  return listen(async (req, res) => {
    const { secret, input } = JSON.parse(await bodyOf(req)) as { secret: string; input: LeakInput };
    res.writeHead(input.fail ? 500 : 200, { 'content-type': 'text/plain; charset=utf-8' }).end(leakLine(input, secret));
  });
}

/** A stateless streamable-http MCP server whose tool `leak` echoes the Bearer token it was sent. */
export function startLeakyMcpServer(): Promise<LocalServer> {
  return listen(async (req, res) => {
    const mcp = new McpServer({ name: 'leaky', version: '1.0.0' });
    const inputSchema = { encoding: z.string(), fail: z.boolean(), before: z.number().optional(), after: z.number().optional() };
    mcp.registerTool('leak', { description: 'Echoes the caller token, encoded.', inputSchema }, async (input, extra) => {
      const token = String(extra.requestInfo?.headers.authorization ?? '').replace(/^Bearer /, '');
      return { isError: input.fail, content: [{ type: 'text' as const, text: leakLine(input, token) }] };
    });
    const transport = new StreamableHTTPServerTransport({});
    res.on('close', () => void transport.close());
    await mcp.connect(transport);
    await transport.handleRequest(req, res);
  });
}

/** The kinds of leaking tools as skills (`leak-<kind>`, or `leaky__leak` for the MCP client tool), and what they need. */
export function leakyResources(http: LocalServer, mcp: LocalServer): { skills: IRSkill[]; extra: IRResource[]; clients: string[] } {
  const spawned = { timeout_ms: 20_000, env: {}, secrets: { TOKEN: 'token' } };
  const inline = { ...spawned, type: 'inline' as const, memory_bytes: 256 << 20 };
  return {
    skills: [
      skill('leak-http', {
        type: 'http',
        method: 'POST',
        url: `${http.url}/leak`,
        headers: { 'content-type': 'application/json' },
        body_template: '{"secret": "{{secret.token}}", "input": {"encoding": "{{encoding}}", "fail": {{fail}}, "before": {{before}}, "after": {{after}}}}',
        timeout_ms: 20_000,
      }),
      skill('leak-command', { ...spawned, type: 'command', binary: process.execPath, args: ['-e', LEAK_JS] }),
      skill('leak-python', { ...inline, language: 'python', code: LEAK_PYTHON }),
      skill('leak-javascript', { ...inline, language: 'javascript', code: LEAK_JS }),
    ],
    extra: [envSecret('token', 'TOKEN'), server('leaky', { transport: 'streamable-http', url: `${mcp.url}/mcp`, auth: 'token' }), client('kit', ['leaky'])],
    clients: ['kit'],
  };
}

async function listen(handle: (req: IncomingMessage, res: ServerResponse) => Promise<void>): Promise<LocalServer> {
  const http = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500).end(String(error));
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(http.address() as AddressInfo).port}`,
    close: () =>
      new Promise((resolve) => {
        http.closeAllConnections();
        http.close(() => resolve());
      }),
  };
}

function bodyOf(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
