/**
 * The `fetch` the Anthropic SDK is given: the WHATWG `fetch` signature over
 * Node's own HTTP client (`node:http` / `node:https`, their global keep-alive
 * agents) instead of the global `fetch` (undici).
 *
 * Why: a cold start pays for undici's fetch machinery — its connection pool,
 * its HTTP parser compiled from WebAssembly, its fetch algorithm — on the
 * first model call, while Node's HTTP client is native and mostly loaded with
 * node itself; measured on a Lambda-style cold start, 12–15 ms less to the
 * first answer (`npm run bench -- bundle`). Libraries that implement `fetch`
 * over `node:http` (node-fetch) cost more to load than they save.
 *
 * What it keeps of `fetch`: any `RequestInit` body (a string or bytes is
 * written as is; a stream is piped; anything else is serialised the way
 * `Response` does it), headers in any form, `AbortSignal` before and during
 * the response (rejections and body errors are `AbortError`s), connection
 * failures as `TypeError('fetch failed', { cause })` like undici, and a real
 * `Response` whose body streams as bytes arrive, decoded when the server
 * compressed it. What it leaves out: redirects are returned, not followed
 * (`redirect: 'manual'`; the API never redirects, and the SDK reports a 3xx
 * as an error naming the status), and there is no HTTP cache or cookie jar.
 *
 * The built-in modules are taken with `process.getBuiltinModule`: in Node 22
 * an ES `import` of `node:http` builds a namespace object that reads every
 * export, among them lazy getters that load all of undici.
 */
import type * as Http from 'node:http';
import type * as Stream from 'node:stream';

/** The WHATWG `fetch` signature, as the SDK's `fetch` option takes it. */
export type Fetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** Status codes whose responses have no body (a `Response` refuses one). */
const NULL_BODY_STATUS = new Set([101, 103, 204, 205, 304]);

/**
 * Each built-in module when first needed: a plain-HTTP call never loads TLS,
 * an uncompressed answer never loads zlib.
 */
const builtin = {
  http: () => process.getBuiltinModule('node:http'),
  https: () => process.getBuiltinModule('node:https'),
  stream: () => process.getBuiltinModule('node:stream'),
  zlib: () => process.getBuiltinModule('node:zlib'),
};

/** `fetch` over `node:http` / `node:https`. */
export const nodeFetch: Fetch = async (input, init = {}) => {
  const request = typeof input === 'object' && !(input instanceof URL) ? input : undefined;
  const url = new URL(request?.url ?? input.toString());
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError(`fetch failed: unsupported protocol ${url.protocol}`);
  const method = (init.method ?? request?.method ?? 'GET').toUpperCase();
  const signal = init.signal ?? request?.signal ?? undefined;
  if (signal?.aborted) throw abortError(signal);
  const outgoing = outgoingHeaders(init.headers ?? request?.headers);
  const body = await bodyOf(init.body !== undefined ? init.body : request?.body, outgoing);
  if (typeof body === 'string' || body instanceof Uint8Array) outgoing['content-length'] = String(Buffer.byteLength(body));

  return new Promise<Response>((resolve, reject) => {
    const client = url.protocol === 'https:' ? builtin.https() : builtin.http();
    const req = client.request(url, { method, headers: outgoing });
    let settled = false;
    let incoming: Http.IncomingMessage | undefined;
    const onAbort = (): void => {
      const error = abortError(signal!) as Error;
      // after the headers, the body stream fails with the abort error, as fetch's does
      incoming?.destroy(error);
      req.destroy(error);
      if (!settled) {
        settled = true;
        reject(error);
      }
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    req.on('error', (error) => {
      signal?.removeEventListener('abort', onAbort);
      if (settled) return;
      settled = true;
      reject(error.name === 'AbortError' ? error : new TypeError('fetch failed', { cause: error }));
    });
    req.on('response', (res) => {
      settled = true;
      incoming = res;
      res.once('close', () => signal?.removeEventListener('abort', onAbort));
      try {
        resolve(toResponse(res, method));
      } catch (error) {
        res.destroy();
        reject(error);
      }
    });
    writeBody(req, body);
  });
};

/** Leading and trailing HTTP whitespace, which `Headers` strips from a value. */
const HTTP_WHITESPACE = /^[\t\n\r ]+|[\t\n\r ]+$/g;

/**
 * The request headers as `node:http` takes them: names lower-cased, values
 * trimmed, a repeated name's values joined with ", " — what `Headers` makes
 * of the same input (invalid names or values are refused by `node:http`,
 * with a TypeError as `Headers` would). Built without `Headers` because its
 * first use loads undici (≈ 35 ms): a call with plain headers, such as the
 * Lambda secrets read at INIT, is on the wire before that happens and waits
 * for its answer while the rest of INIT runs.
 */
function outgoingHeaders(init: RequestInit['headers']): Record<string, string> {
  const outgoing: Record<string, string> = Object.create(null) as Record<string, string>;
  const add = (name: string, value: string): void => {
    const key = String(name).toLowerCase();
    const trimmed = String(value).replace(HTTP_WHITESPACE, '');
    outgoing[key] = key in outgoing ? `${outgoing[key]}, ${trimmed}` : trimmed;
  };
  if (init === undefined) return outgoing;
  if (Symbol.iterator in Object(init)) {
    // a Headers object (its pairs already joined) or a list of pairs
    for (const pair of init as Iterable<readonly string[]>) {
      if (pair.length !== 2) throw new TypeError('fetch failed: a header pair must have a name and a value');
      add(pair[0]!, pair[1]!);
    }
  } else for (const [name, value] of Object.entries(init)) add(name, value);
  return outgoing;
}

type OutgoingBody = string | Uint8Array | AsyncIterable<Uint8Array> | undefined;

/** The body as a string, bytes or a byte stream; sets `content-type` when the body type implies one. */
async function bodyOf(body: RequestInit['body'] | ReadableStream<Uint8Array> | null | undefined, headers: Record<string, string>): Promise<OutgoingBody> {
  if (body === null || body === undefined) return undefined;
  if (typeof body === 'string') {
    headers['content-type'] ??= 'text/plain;charset=UTF-8';
    return body;
  }
  if (body instanceof Uint8Array) return body;
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  if (ArrayBuffer.isView(body)) return new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
  if (body instanceof ReadableStream) return body as ReadableStream<Uint8Array> & AsyncIterable<Uint8Array>;
  if (typeof body === 'object' && Symbol.asyncIterator in body) return body as AsyncIterable<Uint8Array>;
  // Blob, FormData, URLSearchParams: serialised by the platform, with the content type it implies
  const serialised = new Response(body);
  const type = serialised.headers.get('content-type');
  if (type !== null) headers['content-type'] ??= type;
  return new Uint8Array(await serialised.arrayBuffer());
}

function writeBody(req: Http.ClientRequest, body: OutgoingBody): void {
  if (body === undefined || typeof body === 'string' || body instanceof Uint8Array) {
    req.end(body);
    return;
  }
  const stream = builtin.stream();
  stream.pipeline(stream.Readable.from(body), req, (error) => {
    if (error) req.destroy(error);
  });
}

/** A `Response` over the incoming message; the body is decoded when the server compressed it. */
function toResponse(res: Http.IncomingMessage, method: string): Response {
  const headers = new Headers();
  for (let i = 0; i < res.rawHeaders.length; i += 2) headers.append(res.rawHeaders[i]!, res.rawHeaders[i + 1]!);
  const status = res.statusCode ?? 0;
  const init = { status, statusText: res.statusMessage ?? '', headers };
  if (method === 'HEAD' || NULL_BODY_STATUS.has(status)) {
    res.resume();
    return new Response(null, init);
  }
  return new Response(builtin.stream().Readable.toWeb(decoded(res)) as ReadableStream<Uint8Array>, init);
}

function decoded(res: Http.IncomingMessage): Stream.Readable {
  const encoding = (res.headers['content-encoding'] ?? '').trim().toLowerCase();
  if (encoding === '' || encoding === 'identity') return res;
  const zlib = builtin.zlib();
  const decoder =
    encoding === 'gzip' || encoding === 'x-gzip'
      ? zlib.createGunzip({ flush: zlib.constants.Z_SYNC_FLUSH, finishFlush: zlib.constants.Z_SYNC_FLUSH })
      : encoding === 'deflate'
        ? zlib.createInflate({ flush: zlib.constants.Z_SYNC_FLUSH, finishFlush: zlib.constants.Z_SYNC_FLUSH })
        : encoding === 'br'
          ? zlib.createBrotliDecompress({ flush: zlib.constants.BROTLI_OPERATION_FLUSH, finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH })
          : undefined;
  if (!decoder) return res;
  return builtin.stream().pipeline(res, decoder, () => {
    // an error reaches the reader through the decoder, which pipeline destroys with it
  });
}

/** What fetch rejects with on an abort: the signal's reason, else an `AbortError`. */
function abortError(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}
