/**
 * A faithful stand-in for the Lambda Node.js runtime's response streaming:
 * a global `awslambda` whose `streamifyResponse` marks the handler and whose
 * `HttpResponseStream.from(stream, metadata)` writes the prelude the way the
 * runtime client does — the JSON metadata, then 8 NUL bytes — with the first
 * write of the body (a body-less answer must still write once).
 * `invokeStreaming` plays the Function URL: it records every chunk with the
 * time it arrived, and can hang up mid-stream like a client that disconnects.
 */
import { Writable } from 'node:stream';
import { performance } from 'node:perf_hooks';
import type { Context } from 'aws-lambda';

const PRELUDE_SEPARATOR = Buffer.alloc(8, 0);
const STREAMING = Symbol.for('aws.lambda.runtime.handler.streaming');

type StreamHandler = (event: unknown, responseStream: Writable, context: Context) => Promise<void>;

/** Defines `globalThis.awslambda` (idempotent). Call before importing a streaming handler. */
export function installAwsLambdaGlobal(): void {
  // The AWS SDK's invoke store may already have created `globalThis.awslambda = {}`: add to it.
  const g = globalThis as unknown as { awslambda?: Record<string, unknown> };
  const lambda = (g.awslambda ??= {});
  lambda.streamifyResponse ??= (handler: StreamHandler) => {
    Object.defineProperty(handler, STREAMING, { value: 'response' });
    return handler;
  };
  lambda.HttpResponseStream ??= {
    // as aws-lambda-ric does (test/aws/runtime-client.test.ts runs it): the prelude goes out with the body's first write
    from(stream: Writable, metadata: Record<string, unknown>) {
      const write = stream.write.bind(stream) as (chunk: unknown, ...rest: unknown[]) => boolean;
      let first = true;
      stream.write = ((chunk: unknown, ...rest: unknown[]) => {
        if (first) write(Buffer.concat([Buffer.from(JSON.stringify(metadata)), PRELUDE_SEPARATOR]));
        first = false;
        return write(chunk, ...rest);
      }) as Writable['write'];
      return stream;
    },
  };
}

export interface StreamedChunk {
  /** milliseconds since the invocation started */
  at: number;
  data: Buffer;
}

export interface StreamedResponse {
  /** the prelude's metadata, parsed */
  metadata: { statusCode: number; headers?: Record<string, string>; cookies?: string[] };
  /** body bytes after the prelude */
  body: string;
  /** every write, prelude included, as it arrived */
  chunks: StreamedChunk[];
  /** raw bytes as the runtime would send them */
  raw: Buffer;
  /** true when the handler resolved (not only the client hung up) */
  completed: boolean;
  /** milliseconds until the handler's promise settled */
  durationMs: number;
}

export interface InvokeStreamingOptions {
  /** hang up (destroy the response stream) once the body received so far matches */
  disconnectWhen?: (bodySoFar: string) => boolean;
}

/** A Lambda context good enough for handlers that ignore most of it. */
export function lambdaContext(name = 'agentspec-test'): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: name,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${name}`,
    memoryLimitInMB: '1024',
    awsRequestId: `req-${Math.random().toString(16).slice(2)}`,
    logGroupName: `/aws/lambda/${name}`,
    logStreamName: 'test',
    getRemainingTimeInMillis: () => 60_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** Invokes a streaming handler with `event` and collects what a client would receive. */
export async function invokeStreaming(handler: unknown, event: unknown, options: InvokeStreamingOptions = {}): Promise<StreamedResponse> {
  const fn = handler as StreamHandler & { [STREAMING]?: string };
  if (fn[STREAMING] !== 'response') throw new Error('The handler is not wrapped with awslambda.streamifyResponse.');
  const started = performance.now();
  const chunks: StreamedChunk[] = [];
  let closed!: () => void;
  const streamClosed = new Promise<void>((resolve) => (closed = resolve));
  const stream: Writable = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push({ at: performance.now() - started, data: Buffer.from(chunk) });
      callback();
      if (options.disconnectWhen && options.disconnectWhen(bodyOf(chunks))) setImmediate(() => stream.destroy());
    },
  });
  stream.on('close', closed);
  stream.on('error', () => undefined);
  let completed = false;
  const run = fn(event, stream, lambdaContext()).then(() => {
    completed = true;
  });
  await Promise.race([run, streamClosed.then(() => run)]);
  const durationMs = performance.now() - started;
  const raw = Buffer.concat(chunks.map((c) => c.data));
  const split = raw.indexOf(PRELUDE_SEPARATOR);
  if (split < 0) throw new Error('The response has no prelude (metadata followed by 8 NUL bytes).');
  return {
    metadata: JSON.parse(raw.subarray(0, split).toString('utf8')) as StreamedResponse['metadata'],
    body: raw.subarray(split + PRELUDE_SEPARATOR.length).toString('utf8'),
    chunks,
    raw,
    completed,
    durationMs,
  };
}

function bodyOf(chunks: StreamedChunk[]): string {
  const raw = Buffer.concat(chunks.map((c) => c.data));
  const split = raw.indexOf(PRELUDE_SEPARATOR);
  return split < 0 ? '' : raw.subarray(split + PRELUDE_SEPARATOR.length).toString('utf8');
}
