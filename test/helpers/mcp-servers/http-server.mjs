// A test MCP server over HTTP: `sse` (SSEServerTransport, GET /sse + POST /messages)
// or `streamable-http` (StreamableHTTPServerTransport at /mcp, one session per client).
// Usage: node http-server.mjs <sse|streamable-http> [port] [bearer-token]
// Prints `listening <port>` on stdout once ready. A run in its own process lets the
// `crash` tool end it for real.
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { SSEServerTransport } from '@modelcontextprotocol/sdk/server/sse.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { createTestServer } from './tools.mjs';

const [kind, portArg, token] = process.argv.slice(2);
const transports = new Map();
const seenAuth = [];

const http = createServer(async (req, res) => {
  try {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === '/stats') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ open: transports.size, auth: seenAuth }));
      return;
    }
    seenAuth.push(req.headers.authorization ?? null);
    if (token && req.headers.authorization !== `Bearer ${token}`) {
      res.writeHead(401).end('missing or wrong bearer token');
      return;
    }
    if (kind === 'sse') return await handleSse(req, res, url);
    return await handleStreamable(req, res);
  } catch (error) {
    if (!res.headersSent) res.writeHead(500).end(String(error));
  }
});

async function handleSse(req, res, url) {
  if (req.method === 'GET' && url.pathname === '/sse') {
    const transport = new SSEServerTransport('/messages', res);
    transports.set(transport.sessionId, transport);
    res.on('close', () => transports.delete(transport.sessionId));
    await createTestServer().connect(transport);
    return;
  }
  if (req.method === 'POST' && url.pathname === '/messages') {
    const transport = transports.get(url.searchParams.get('sessionId'));
    if (!transport) return void res.writeHead(404).end('unknown session');
    await transport.handlePostMessage(req, res);
    return;
  }
  res.writeHead(404).end();
}

async function handleStreamable(req, res) {
  const id = req.headers['mcp-session-id'];
  let transport = typeof id === 'string' ? transports.get(id) : undefined;
  if (!transport) {
    if (req.method !== 'POST') return void res.writeHead(400).end('no session');
    transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (sid) => transports.set(sid, transport),
    });
    transport.onclose = () => transport.sessionId && transports.delete(transport.sessionId);
    await createTestServer().connect(transport);
  }
  await transport.handleRequest(req, res);
}

http.listen(Number(portArg ?? 0), '127.0.0.1', () => {
  process.stdout.write(`listening ${http.address().port}\n`);
});
