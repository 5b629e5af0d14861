/**
 * A stand-in for the Lambda Runtime API (2018-06-01) that a function's
 * runtime client talks to, following AWS's documented behaviour:
 *
 * - `GET /runtime/invocation/next` long-polls for the next event and answers
 *   it with `Lambda-Runtime-Aws-Request-Id`, `-Deadline-Ms`,
 *   `-Invoked-Function-Arn` and `-Trace-Id`. INIT is everything before the
 *   first `next`.
 * - `POST /runtime/invocation/{id}/response` takes a buffered payload, or —
 *   with `Lambda-Runtime-Function-Response-Mode: streaming` — a chunked body
 *   whose failure arrives in the trailers `Lambda-Runtime-Function-Error-Type`
 *   and `-Error-Body` (base64). A Function URL stream starts with a JSON
 *   prelude (status, headers, cookies) and 8 NUL bytes.
 * - `POST /runtime/invocation/{id}/error` and `POST /runtime/init/error`.
 * - On request (`cutAfterBytes`), a streamed response's connection is
 *   destroyed mid-body, as when the Runtime API rejects an over-size or
 *   broken stream: the runtime client sees its POST fail.
 *
 * Everything is recorded in `log`, in order, so a test can prove what
 * happened during INIT and what during an invocation.
 */
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

const PREFIX = '/2018-06-01/runtime';
const DELIMITER = Buffer.alloc(8);

export type InvocationResult =
  | { kind: 'buffered'; payload: unknown }
  | {
      kind: 'streamed';
      contentType: string;
      prelude?: { statusCode?: number; headers?: Record<string, string>; cookies?: string[] };
      body: Buffer;
      error?: { type: string; body: unknown };
      /** the stand-in destroyed the connection mid-body (`cutAfterBytes`): `body` is what had arrived */
      cut?: true;
    }
  | { kind: 'error'; type: string; body: unknown };

interface Pending {
  id: string;
  event: unknown;
  deadlineMs: number;
  settle: (result: InvocationResult) => void;
  fail: (error: Error) => void;
  /** each body chunk of a streamed response, as it arrives */
  onChunk?: ((chunk: Buffer) => void) | undefined;
  onResponseStart?: (() => void) | undefined;
  cutAfterBytes?: number | undefined;
}

export interface InvokeOptions {
  /** the invocation's time limit (the function's timeout), default 30 s */
  timeoutMs?: number;
  onChunk?: (chunk: Buffer) => void;
  /** destroy a streamed response's connection once this many body bytes (prelude included) have arrived */
  cutAfterBytes?: number;
  /**
   * called when the function's answer (response or error) begins to arrive:
   * the runtime client's request sends its headers with its first body bytes
   */
  onResponseStart?: () => void;
}

export class RuntimeApi {
  /** what happened, in order: `next`, `event <id>`, `response <id>`, `error <id>`, `init/error` */
  readonly log: string[] = [];
  /** the body of `POST /runtime/init/error`, once one arrives */
  initError: unknown;
  private readonly queue: Pending[] = [];
  private readonly inFlight = new Map<string, Pending>();
  private readonly waiting: ServerResponse[] = [];
  private readonly server: Server;

  private constructor() {
    this.server = createServer((req, res) => void this.route(req, res).catch((error: unknown) => res.writeHead(500).end(String(error))));
  }

  static async start(): Promise<RuntimeApi> {
    const api = new RuntimeApi();
    api.server.listen(0, '127.0.0.1');
    await once(api.server, 'listening');
    return api;
  }

  /** `host:port`, the value of `AWS_LAMBDA_RUNTIME_API` */
  get address(): string {
    const { port } = this.server.address() as AddressInfo;
    return `127.0.0.1:${port}`;
  }

  /** Resolves once the runtime has asked for its first event: the end of INIT. */
  async initDone(): Promise<void> {
    while (!this.log.includes('next')) await once(this.server, 'next');
  }

  /** Queues an event and resolves with what the function answered. */
  invoke(event: unknown, options: InvokeOptions = {}): Promise<InvocationResult> {
    return new Promise((settle, fail) => {
      const pending: Pending = {
        id: randomUUID(),
        event,
        deadlineMs: Date.now() + (options.timeoutMs ?? 30_000),
        settle,
        fail,
        onChunk: options.onChunk,
        onResponseStart: options.onResponseStart,
        cutAfterBytes: options.cutAfterBytes,
      };
      const waiter = this.waiting.shift();
      if (waiter) this.deliver(pending, waiter);
      else this.queue.push(pending);
    });
  }

  /** Fails every queued and running invocation: the function process is gone. */
  abandon(error: Error): void {
    for (const pending of [...this.queue.splice(0), ...this.inFlight.values()]) pending.fail(error);
    this.inFlight.clear();
  }

  async close(): Promise<void> {
    for (const res of this.waiting.splice(0)) res.destroy();
    this.server.closeAllConnections();
    this.server.close();
    await once(this.server, 'close');
  }

  private deliver(pending: Pending, res: ServerResponse): void {
    this.inFlight.set(pending.id, pending);
    this.log.push(`event ${pending.id}`);
    res
      .writeHead(200, {
        'content-type': 'application/json',
        'lambda-runtime-aws-request-id': pending.id,
        'lambda-runtime-deadline-ms': String(pending.deadlineMs),
        'lambda-runtime-invoked-function-arn': 'arn:aws:lambda:us-east-1:123456789012:function:test:live',
        'lambda-runtime-trace-id': `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${randomUUID().replaceAll('-', '').slice(0, 24)};Sampled=0`,
      })
      .end(JSON.stringify(pending.event));
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '').split('?')[0]!;
    if (req.method === 'GET' && path === `${PREFIX}/invocation/next`) {
      this.log.push('next');
      this.server.emit('next');
      const pending = this.queue.shift();
      if (pending) this.deliver(pending, res);
      else this.waiting.push(res);
      return;
    }
    if (req.method === 'POST' && path === `${PREFIX}/init/error`) {
      this.log.push('init/error');
      this.initError = JSON.parse((await body(req)).toString('utf8') || 'null');
      res.writeHead(202).end('{"status":"OK"}');
      return;
    }
    const match = /^\/2018-06-01\/runtime\/invocation\/([^/]+)\/(response|error)$/.exec(path);
    const pending = match ? this.inFlight.get(decodeURIComponent(match[1]!)) : undefined;
    if (req.method !== 'POST' || !match || !pending) {
      res.writeHead(match ? 400 : 404, { 'content-type': 'application/json' }).end('{"errorMessage":"unknown request","errorType":"InvalidRequestID"}');
      return;
    }
    this.inFlight.delete(pending.id);
    this.log.push(`${match[2]} ${pending.id}`);
    pending.onResponseStart?.();
    if (match[2] === 'error') {
      const text = (await body(req)).toString('utf8');
      pending.settle({ kind: 'error', type: String(req.headers['lambda-runtime-function-error-type'] ?? ''), body: JSON.parse(text || 'null') });
    } else if (req.headers['lambda-runtime-function-response-mode'] === 'streaming') {
      pending.settle(await streamed(req, pending.onChunk, pending.cutAfterBytes));
    } else {
      pending.settle({ kind: 'buffered', payload: JSON.parse((await body(req)).toString('utf8') || 'null') });
    }
    res.writeHead(202, { 'content-type': 'application/json' }).end('{"status":"OK"}');
  }
}

async function body(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function streamed(req: IncomingMessage, onChunk: ((chunk: Buffer) => void) | undefined, cutAfterBytes?: number): Promise<InvocationResult> {
  const contentType = String(req.headers['content-type'] ?? '');
  const chunks: Buffer[] = [];
  let received = 0;
  let cut = false;
  for await (const chunk of req) {
    chunks.push(chunk as Buffer);
    onChunk?.(chunk as Buffer);
    received += (chunk as Buffer).length;
    if (cutAfterBytes !== undefined && received >= cutAfterBytes) {
      cut = true;
      req.socket.destroy();
      break;
    }
  }
  let all = Buffer.concat(chunks);
  let prelude: Extract<InvocationResult, { kind: 'streamed' }>['prelude'];
  if (contentType === 'application/vnd.awslambda.http-integration-response') {
    const end = all.indexOf(DELIMITER);
    if (end < 0 && cut) return { kind: 'streamed', contentType, body: all, cut };
    if (end < 0) throw new Error('a Function URL stream without the 8-NUL delimiter after its prelude');
    prelude = JSON.parse(all.subarray(0, end).toString('utf8')) as typeof prelude;
    all = all.subarray(end + DELIMITER.length);
  }
  const type = req.trailers['lambda-runtime-function-error-type'];
  const errorBody = req.trailers['lambda-runtime-function-error-body'];
  return {
    kind: 'streamed',
    contentType,
    ...(prelude ? { prelude } : {}),
    body: all,
    ...(type ? { error: { type, body: errorBody ? (JSON.parse(Buffer.from(errorBody, 'base64').toString('utf8')) as unknown) : null } } : {}),
    ...(cut ? { cut } : {}),
  };
}
