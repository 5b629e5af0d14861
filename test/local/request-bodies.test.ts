/**
 * Request bodies on a real socket. A client that sends its whole oversize
 * body before reading (Python's `urllib`; a node socket that reads only after
 * its last write) receives the 413 and its JSON body, whether the body is
 * declared, chunked or slow to arrive; a body far beyond what the server
 * discards is cut off unread. A client that hangs up in the middle of its
 * body is logged as the client's doing (499), not as a server failure.
 */
import { execFile } from 'node:child_process';
import { request } from 'node:http';
import { connect } from 'node:net';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
}

/**
 * POSTs `size` bytes over a raw socket. `readAfterWrite`: the socket does not
 * read until its last byte is written (as urllib does); otherwise it reads
 * all along and stops writing when the server closes.
 */
function rawPost(port: number, size: number, options: { chunked: boolean; readAfterWrite: boolean }): Promise<RawAnswer> {
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
      resolve({ ...parse(Buffer.concat(received).toString('latin1')), ...(error ? { error } : {}), sent: socket.bytesWritten });
    });
    const framing = options.chunked ? 'transfer-encoding: chunked' : `content-length: ${size}`;
    socket.write(`POST ${INVOKE} HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\ncontent-type: application/json\r\n${framing}\r\n\r\n`);
    const piece = Buffer.alloc(64 * 1024, 'x');
    const frame = (bytes: Buffer) => (options.chunked ? Buffer.concat([Buffer.from(`${bytes.length.toString(16)}\r\n`), bytes, Buffer.from('\r\n')]) : bytes);
    void (async () => {
      for (let sent = 0; sent < size && !closed; sent += piece.length) {
        if (!socket.write(frame(piece))) await new Promise((next) => (socket.once('drain', next), socket.once('close', next)));
      }
      if (!closed && options.chunked) socket.write('0\r\n\r\n');
      if (!closed) socket.write('', () => socket.resume());
    })();
  });
}

function parse(text: string): Omit<RawAnswer, 'sent' | 'error'> {
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

  beforeAll(async () => {
    requireCommand('python3');
    server = await startServer({ runtime: () => runtime, port: 0, apiKeys: false, logger: log.logger, notice: () => {} });
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

  it.each([false, true])('cuts off a body far beyond the discard bound without reading it (chunked: %s)', async (chunked) => {
    const size = 64 * LIMIT;
    const answer = await rawPost(port, size, { chunked, readAfterWrite: false });
    // What the kernel's socket buffers took beyond what the server read: far from the whole body.
    expect(answer.sent).toBeLessThan(DISCARD_FACTOR * LIMIT + 16 * LIMIT);
    expect(answer).toMatchObject({ status: 413, connection: 'close', body: TOO_LARGE });
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
