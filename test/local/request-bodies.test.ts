/**
 * Request bodies on a real socket. A client that sends its whole oversize
 * body before reading (Python's `urllib`; a node socket that reads only after
 * its last write) receives the 413 and its JSON body, whether the body is
 * declared, chunked or slow to arrive; a body far beyond what the server
 * discards is cut off unread, and the connection closes with a lingering
 * close (bounded in time and bytes) so that a client still sending reads the
 * 413 rather than a reset. A client that hangs up in the middle of its body
 * is logged as the client's doing (499), not as a server failure.
 */
import { execFile } from 'node:child_process';
import { EventEmitter, once } from 'node:events';
import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LINGER, type LingeredClose } from '../../local/lingering-close.js';
import { startServer, type RunningServer } from '../../local/server.js';
import { DISCARD_FACTOR } from '../../shared/http/read-body.js';
import { FakeRuntime } from '../helpers/fake-runtime.js';
import { requireCommand } from '../helpers/require-system.js';
import { recordingLogger } from '../http/helpers.js';

const INVOKE = '/v1/agents/echo/invoke';
const LIMIT = 1024 * 1024;
const TOO_LARGE = { error: 'payload_too_large', message: `The request body exceeds ${LIMIT} bytes.`, details: { limit_bytes: LIMIT } };

/**
 * Posts 2 MiB `repetitions` times with urllib and prints one JSON line per
 * answer. `length`: one declared body; `chunked`: an iterable without a
 * length; `paced`: declared, written in 64 KiB pieces 25 ms apart — a client
 * on a slow link (≈ 0.8 s per body).
 */
const PYTHON_CLIENT = `
import json, sys, time, urllib.error, urllib.request
url, mode, repetitions = sys.argv[1], sys.argv[2], int(sys.argv[3])
SIZE, PIECE = 2 * 1024 * 1024, 64 * 1024
def pieces():
    for _ in range(SIZE // PIECE):
        if mode == 'paced':
            time.sleep(0.025)
        yield b'x' * PIECE
for _ in range(repetitions):
    headers = {'content-type': 'application/json'}
    if mode != 'chunked':
        headers['content-length'] = str(SIZE)
    body = b'x' * SIZE if mode == 'length' else pieces()
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=body, headers=headers, method='POST'), timeout=30) as res:
            print(json.dumps({'status': res.status}))
    except urllib.error.HTTPError as e:
        print(json.dumps({'status': e.code, 'connection': e.headers.get('connection'), 'body': json.loads(e.read())}))
    except Exception as e:
        print(json.dumps({'error': repr(e)}))
`;

async function python(url: string, mode: 'length' | 'chunked' | 'paced', repetitions: number): Promise<unknown[]> {
  const { stdout } = await promisify(execFile)('python3', ['-c', PYTHON_CLIENT, url, mode, String(repetitions)], { timeout: 60_000 });
  return stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as unknown);
}

interface RawAnswer {
  status?: number;
  connection?: string;
  body?: unknown;
  error?: string;
  /** bytes of the request the socket handed to the kernel */
  sent: number;
  /** how many responses arrived */
  responses: number;
}

/**
 * POSTs `size` bytes over a raw socket. `readAfterWrite`: the socket does not
 * read until its last byte is written (as urllib does); otherwise it reads
 * all along and stops writing when the server closes.
 */
function rawPost(port: number, size: number, options: { chunked: boolean; readAfterWrite: boolean; pipelined?: string }): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const received: Buffer[] = [];
    let closed = false;
    let error: string | undefined;
    if (options.readAfterWrite) socket.pause();
    socket.on('data', (chunk) => {
      received.push(chunk);
      // A complete answer that keeps the connection open ends the exchange here.
      const answer = parse(Buffer.concat(received).toString('latin1'));
      if (answer.body !== undefined && answer.connection !== 'close') socket.destroy();
    });
    socket.on('error', (e: NodeJS.ErrnoException) => (error ??= e.code ?? e.message));
    socket.on('close', () => {
      closed = true;
      const text = Buffer.concat(received).toString('latin1');
      resolve({ ...parse(text), ...(error ? { error } : {}), sent: socket.bytesWritten, responses: text.split('HTTP/1.1 ').length - 1 });
    });
    const framing = options.chunked ? 'transfer-encoding: chunked' : `content-length: ${size}`;
    socket.write(`POST ${INVOKE} HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\ncontent-type: application/json\r\n${framing}\r\n\r\n`);
    const piece = Buffer.alloc(64 * 1024, 'x');
    const frame = (bytes: Buffer) => (options.chunked ? Buffer.concat([Buffer.from(`${bytes.length.toString(16)}\r\n`), bytes, Buffer.from('\r\n')]) : bytes);
    void (async () => {
      for (let sent = 0; sent < size && !closed; sent += piece.length) {
        if (!socket.write(frame(piece))) await drainedOrClosed(socket);
      }
      if (!closed && options.chunked) socket.write('0\r\n\r\n');
      if (!closed && options.pipelined) socket.write(options.pipelined);
      if (!closed) socket.write('', () => socket.resume());
    })();
  });
}

/** Resolves at the socket's next `drain` or at its `close`, leaving no listener behind. */
function drainedOrClosed(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      socket.off('drain', done);
      socket.off('close', done);
      resolve();
    };
    socket.on('drain', done);
    socket.on('close', done);
  });
}

function parse(text: string): Omit<RawAnswer, 'sent' | 'error' | 'responses'> {
  const split = text.indexOf('\r\n\r\n');
  if (split < 0) return {};
  const head = text.slice(0, split).split('\r\n');
  const header = (name: string) =>
    head
      .find((line) => line.toLowerCase().startsWith(`${name}:`))
      ?.slice(name.length + 1)
      .trim();
  const body = text.slice(split + 4);
  const complete = body.length >= Number(header('content-length'));
  return { status: Number(head[0]!.split(' ')[1]), connection: header('connection')!, ...(complete ? { body: JSON.parse(body) as unknown } : {}) };
}

describe('oversize and interrupted request bodies', () => {
  let server: RunningServer;
  let port: number;
  const runtime = new FakeRuntime();
  const log = recordingLogger();
  // The server's lingering closes (its debug records), in order.
  const closes: LingeredClose[] = [];
  const lingered = new EventEmitter();
  const nextCloses = async (count: number) => {
    while (closes.length < count) await once(lingered, 'close');
    return closes.splice(0);
  };
  const logger = {
    ...log.logger,
    debug: (message: string, fields?: Record<string, unknown>) => {
      if (message !== 'lingering close') return;
      closes.push(fields as unknown as LingeredClose);
      lingered.emit('close');
    },
  };

  beforeAll(async () => {
    requireCommand('python3');
    server = await startServer({ runtime: () => runtime, port: 0, apiKeys: false, logger, notice: () => {} });
    port = Number(new URL(server.url).port);
  });
  afterAll(async () => {
    await server?.close();
  });

  it.each(['length', 'chunked'] as const)('answers 413 with its JSON body to urllib posting 2 MiB (%s), 10 times of 10', async (mode) => {
    const answers = await python(`${server.url}${INVOKE}`, mode, 10);
    expect(answers).toEqual(Array(10).fill({ status: 413, connection: 'close', body: TOO_LARGE }));
  });

  it('answers 413 to urllib posting 2 MiB over a slow link', async () => {
    expect(await python(`${server.url}${INVOKE}`, 'paced', 2)).toEqual(Array(2).fill({ status: 413, connection: 'close', body: TOO_LARGE }));
  });

  it.each([false, true])('answers 413 to a node socket that writes 2 MiB before it reads (chunked: %s), 10 times of 10', async (chunked) => {
    const answers: RawAnswer[] = [];
    for (let i = 0; i < 10; i++) answers.push(await rawPost(port, 2 * LIMIT, { chunked, readAfterWrite: true }));
    expect(answers.map(({ status, connection, body, error }) => ({ status, connection, body, error }))).toEqual(
      Array(10).fill({ status: 413, connection: 'close', body: TOO_LARGE, error: undefined }),
    );
  });

  it.each([false, true])('cuts off a body far beyond the discard bound and still answers 413, 50 times of 50 (chunked: %s)', async (chunked) => {
    const answers: RawAnswer[] = [];
    for (let i = 0; i < 50; i++) answers.push(await rawPost(port, 64 * LIMIT, { chunked, readAfterWrite: false }));
    // Every client read the whole 413 before the connection went, none saw a reset instead.
    expect(answers.map(({ status, connection, body }) => ({ status, connection, body }))).toEqual(
      Array(50).fill({ status: 413, connection: 'close', body: TOO_LARGE }),
    );
    // What the server read and the kernel's socket buffers took: far from the whole body.
    for (const answer of answers) expect(answer.sent).toBeLessThan(DISCARD_FACTOR * LIMIT + 16 * LIMIT);
    expect(runtime.calls).toEqual([]);
    // Each lingering close ended when the client closed (or, on a starved machine, at the time bound), within both bounds.
    const held = await nextCloses(50);
    expect(held).toHaveLength(50);
    for (const close of held) {
      if (close.ended_by === 'client') expect(close.held_ms).toBeLessThanOrEqual(LINGER.ms);
      else expect(close.ended_by).toBe('time');
      expect(close.discarded_bytes).toBeLessThanOrEqual(LINGER.bytes);
    }
    console.info(
      `lingering closes (chunked: ${chunked}): held ms max ${Math.max(...held.map((c) => c.held_ms))}, discarded MiB max ${(Math.max(...held.map((c) => c.discarded_bytes)) / LIMIT).toFixed(1)}`,
    );
  });

  it('stops lingering at the byte bound when the client keeps writing without reading, and keeps serving', async () => {
    const answer = await rawPost(port, 64 * LIMIT, { chunked: true, readAfterWrite: true });
    const [close] = await nextCloses(1);
    expect(close).toMatchObject({ ended_by: 'bytes' });
    // The bound is checked per parsed read, which holds at most 64 KiB.
    expect(close!.discarded_bytes).toBeGreaterThan(LINGER.bytes);
    expect(close!.discarded_bytes).toBeLessThanOrEqual(LINGER.bytes + 64 * 1024);
    expect(answer.sent).toBeLessThan(DISCARD_FACTOR * LIMIT + LINGER.bytes + 16 * LIMIT);
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);
  });

  it('stops lingering at the time bound when the client neither sends nor closes', async () => {
    const socket = connect(port, '127.0.0.1');
    socket.setNoDelay(true);
    // The client keeps its side open after the server's FIN (a half-open peer), so only the bound ends the close.
    socket.allowHalfOpen = true;
    const received: Buffer[] = [];
    socket.on('data', (chunk) => received.push(chunk));
    const ended = once(socket, 'end');
    socket.write(`POST ${INVOKE} HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\ncontent-type: application/json\r\ncontent-length: ${64 * LIMIT}\r\n\r\n{"message":`);
    await ended;
    expect(parse(Buffer.concat(received).toString('latin1'))).toMatchObject({ status: 413, connection: 'close', body: TOO_LARGE });
    const [close] = await nextCloses(1);
    socket.destroy();
    expect(close).toMatchObject({ ended_by: 'time', discarded_bytes: 0 });
    expect(close!.held_ms).toBeGreaterThanOrEqual(LINGER.ms - 1);
  });

  it('drops a request pipelined behind a cut-off body instead of running it', async () => {
    const pipelined = `POST ${INVOKE} HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\ncontent-type: application/json\r\ncontent-length: 17\r\n\r\n{"message":"hi"}`;
    const answer = await rawPost(port, 5 * LIMIT, { chunked: false, readAfterWrite: true, pipelined });
    expect(answer).toMatchObject({ status: 413, connection: 'close', body: TOO_LARGE, responses: 1 });
    expect(await nextCloses(1)).toMatchObject([{ ended_by: 'client' }]);
    expect(runtime.calls).toEqual([]);
  });

  it('logs a client that hangs up in the middle of its body as 499, not as a server error', async () => {
    // Prepare: the server answers 100 Continue once it has the request, so the hang-up happens inside the handler.
    const req = request(`${server.url}${INVOKE}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': '1000', expect: '100-continue', 'x-request-id': 'hang-up' },
    });
    req.on('error', () => {});
    const logged = log.next((r) => r.msg === 'request' && r.request_id === 'hang-up');
    // Act
    await new Promise((resolve) => req.once('continue', resolve));
    req.write('{"message":', () => req.destroy());
    // Assess
    expect(await logged).toMatchObject({ level: 'info', method: 'POST', path: INVOKE, status: 499 });
    expect(log.records.filter((r) => r.level === 'error')).toEqual([]);
  });
});
