/**
 * A local HTTP server for http-tool tests on 127.0.0.1 and a random port. It
 * records each request and answers by route: `/echo` returns the request as
 * JSON, `/status/<n>` answers with that status, `/big/<bytes>` a body of that
 * size, `/slow/<ms>` answers late, `/text` plain text.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export interface HttpEchoServer {
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

/** Starts the server. */
export async function startHttpEchoServer(): Promise<HttpEchoServer> {
  const requests: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const recorded = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      requests.push(recorded);
      const [, route, arg] = (req.url ?? '/').split('?')[0]!.split('/');
      if (route === 'status') return void res.writeHead(Number(arg), { 'content-type': 'text/plain' }).end(`failure body for status ${arg}`);
      if (route === 'big') return void res.writeHead(200, { 'content-type': 'text/plain' }).end('x'.repeat(Number(arg)));
      if (route === 'text') return void res.writeHead(200, { 'content-type': 'text/plain' }).end('  plain words  ');
      if (route === 'slow') return void setTimeout(() => res.writeHead(200).end('late'), Number(arg));
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(recorded));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
