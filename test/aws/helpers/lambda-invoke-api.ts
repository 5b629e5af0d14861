/**
 * A stand-in of Lambda's Invoke API (2015-03-31) over HTTP, for the run and
 * stream functions' AWS SDK (point it here with `AWS_ENDPOINT_URL_LAMBDA`):
 * `POST /2015-03-31/functions/{name}/invocations` with `RequestResponse`
 * forwards the payload to the named function's Runtime API stand-in and
 * answers as Lambda documents it — 200 with the function's payload; on a
 * function error, 200 with `X-Amz-Function-Error: Unhandled` and the error
 * object (`errorType`, `errorMessage`); past the function's timeout, the
 * `Sandbox.Timedout` error; an unknown function, 404 `ResourceNotFoundException`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { listenOnLoopback } from '../../helpers/loopback-server.js';
import type { RuntimeApi } from '../../helpers/lambda-runtime/runtime-api.js';

export interface InvokeTarget {
  api: RuntimeApi;
  /** the function's timeout (default 30 s) */
  timeoutMs?: number;
}

export interface LambdaInvokeApi {
  /** the endpoint, for `AWS_ENDPOINT_URL_LAMBDA` */
  url: string;
  /** the function names invoked, in order */
  invoked: string[];
  close(): Promise<void>;
}

export async function startLambdaInvokeApi(functions: Record<string, InvokeTarget>): Promise<LambdaInvokeApi> {
  const invoked: string[] = [];
  const server: Server = createServer((req, res) => void route(req, res).catch((error: unknown) => res.writeHead(500).end(String(error))));
  const route = async (req: IncomingMessage, res: ServerResponse) => {
    const match = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/.exec((req.url ?? '').split('?')[0]!);
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (req.method !== 'POST' || !match) return void res.writeHead(404).end();
    const name = decodeURIComponent(match[1]!);
    const target = functions[name];
    if (!target) {
      res.writeHead(404, { 'content-type': 'application/json', 'x-amzn-errortype': 'ResourceNotFoundException' });
      return void res.end(JSON.stringify({ Type: 'User', message: `Function not found: ${name}` }));
    }
    if ((req.headers['x-amz-invocation-type'] ?? 'RequestResponse') !== 'RequestResponse') return void res.writeHead(400).end();
    invoked.push(name);
    const timeoutMs = target.timeoutMs ?? 30_000;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
    const result = await Promise.race([target.api.invoke(JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null'), { timeoutMs }), timedOut]);
    clearTimeout(timer);
    const headers = { 'content-type': 'application/json', 'x-amz-executed-version': '$LATEST' };
    if (result === 'timeout') {
      const error = { errorType: 'Sandbox.Timedout', errorMessage: `RequestId: stand-in Error: Task timed out after ${(timeoutMs / 1000).toFixed(2)} seconds` };
      return void res.writeHead(200, { ...headers, 'x-amz-function-error': 'Unhandled' }).end(JSON.stringify(error));
    }
    if (result.kind === 'error') return void res.writeHead(200, { ...headers, 'x-amz-function-error': 'Unhandled' }).end(JSON.stringify(result.body));
    if (result.kind !== 'buffered') return void res.writeHead(500).end('a streamed answer to a RequestResponse invoke');
    res.writeHead(200, headers).end(JSON.stringify(result.payload));
  };
  return { ...(await listenOnLoopback(server)), invoked };
}
