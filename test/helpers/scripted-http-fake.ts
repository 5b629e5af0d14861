/**
 * The machinery of a scripted fake HTTP API (the fake model servers are
 * built on it): a real server on 127.0.0.1 (random port) that records every
 * request, hands each one the next scripted reply (or the responder's), and
 * counts connections and streams the client closed early. The fake itself
 * only turns a reply into a response.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export interface RecordedHttpRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** the parsed JSON body (`{raw}` when it does not parse) */
  body: Record<string, unknown>;
  /** the credential sent, from `x-api-key` or `Authorization: Bearer` */
  apiKey: string | undefined;
}

export type Responder<R> = (request: RecordedHttpRequest, index: number) => R;

export interface ScriptedFake<R> {
  /** e.g. `http://127.0.0.1:40123` */
  readonly url: string;
  /** every request received, in arrival order */
  readonly requests: RecordedHttpRequest[];
  /** streaming responses whose connection the client closed before the end */
  readonly aborted: number;
  /** TCP connections accepted so far (a client that keeps its connection alive opens one for many requests) */
  readonly connections: number;
  /** queues replies, consumed one per request in order */
  script(...replies: R[]): ScriptedFake<R>;
  /** answers every request the script queue does not cover */
  respond(fn: Responder<R>): ScriptedFake<R>;
  /** resolves at the next (or an already unobserved) client-side close of a streaming response */
  nextAbort(): Promise<void>;
  /** stops the server, dropping open connections */
  close(): Promise<void>;
}

/** One request as the fake's handler sees it. */
export interface Exchange<R> {
  res: ServerResponse;
  request: RecordedHttpRequest;
  index: number;
  /** the next scripted reply, else the responder's, else undefined */
  reply(): R | undefined;
  /** from now on, the client closing the response before `finish()` counts as an abort */
  watch(): { finish(): void };
}

/** Starts a fake whose `handle` answers each request; a handler that throws answers 500 with `crashBody`. */
export async function startScriptedFake<R>(handle: (exchange: Exchange<R>) => Promise<void>, crashBody: (error: unknown) => string): Promise<ScriptedFake<R>> {
  const queue: R[] = [];
  const requests: RecordedHttpRequest[] = [];
  const sockets = new Set<Socket>();
  let responder: Responder<R> | undefined;
  let aborted = 0;
  let connections = 0;
  let unobserved = 0;
  let waiters: (() => void)[] = [];

  const noteAbort = () => {
    aborted++;
    const wake = waiters;
    waiters = [];
    if (wake.length === 0) unobserved++;
    for (const fn of wake) fn();
  };

  const server = createServer((req, res) => {
    exchangeOf(req, res)
      .then(handle)
      .catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
        res.end(crashBody(error));
      });
  });
  server.on('connection', (socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  async function exchangeOf(req: IncomingMessage, res: ServerResponse): Promise<Exchange<R>> {
    const parts: Buffer[] = [];
    for await (const part of req) parts.push(part as Buffer);
    const raw = Buffer.concat(parts).toString('utf8');
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      body = { raw };
    }
    const request: RecordedHttpRequest = { method: req.method ?? 'GET', path: req.url ?? '/', headers: { ...req.headers }, body, apiKey: credentialOf(req) };
    const index = requests.push(request) - 1;
    return {
      res,
      request,
      index,
      reply: () => queue.shift() ?? responder?.(request, index),
      watch: () => {
        let finished = false;
        res.on('close', () => finished || noteAbort());
        return { finish: () => void (finished = true) };
      },
    };
  }

  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const fake: ScriptedFake<R> = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    get aborted() {
      return aborted;
    },
    get connections() {
      return connections;
    },
    script(...replies) {
      queue.push(...replies);
      return fake;
    },
    respond(fn) {
      responder = fn;
      return fake;
    },
    nextAbort() {
      if (unobserved > 0) {
        unobserved--;
        return Promise.resolve();
      }
      return new Promise((resolve) => waiters.push(resolve));
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return fake;
}

function credentialOf(req: IncomingMessage): string | undefined {
  const header = req.headers['x-api-key'];
  if (typeof header === 'string' && header) return header;
  const auth = req.headers.authorization;
  return auth?.startsWith('Bearer ') ? auth.slice('Bearer '.length) || undefined : undefined;
}

/** Waits `ms` unless the client goes away first (so no timer outlives a closed connection); true when still connected. */
export async function pause(res: ServerResponse, ms: number): Promise<boolean> {
  if (res.destroyed) return false;
  const gone = new AbortController();
  const onClose = () => gone.abort();
  res.once('close', onClose);
  try {
    await sleep(ms, undefined, { signal: gone.signal });
    return !res.destroyed;
  } catch {
    return false;
  } finally {
    res.off('close', onClose);
  }
}
