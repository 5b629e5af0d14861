/**
 * A `fetch` whose requests are Function URL invocations of functions run
 * under the runtime client (test/helpers/lambda-runtime/): the request
 * becomes a payload-2.0 event for the function `pick` names, a buffered
 * answer becomes a Response, and a streamed one a Response whose body
 * carries each chunk as the function sends it. `drop` breaks a streamed body
 * the way a lost network connection does (the function's invocation goes
 * on), once, when it returns true for the text received so far.
 */
import type { LambdaFunction } from '../../helpers/lambda-runtime/lambda-function.js';
import { functionUrlEvent } from './lambda-events.js';

const DELIMITER = Buffer.alloc(8);
const BODYLESS = new Set([204, 304]);

export interface LambdaFetchOptions {
  /** the function that serves a request */
  pick(method: string, path: string): LambdaFunction;
  /** breaks the first streamed body for which it returns true */
  drop?: (received: string) => boolean;
}

export function lambdaFetch(options: LambdaFetchOptions): typeof fetch {
  let dropped = false;
  return async (input, init) => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    const text = request.method === 'GET' || request.method === 'HEAD' ? '' : await request.text();
    const event = functionUrlEvent({
      method: request.method,
      path: url.pathname,
      query: url.search.slice(1),
      headers: Object.fromEntries(request.headers),
      ...(text ? { body: text } : {}),
    });
    const fn = options.pick(request.method, url.pathname);
    return new Promise<Response>((resolve, reject) => {
      let controller!: ReadableStreamDefaultController<Uint8Array>;
      const body = new ReadableStream<Uint8Array>({ start: (c) => void (controller = c) });
      let head = Buffer.alloc(0);
      let started = false;
      let broken = false;
      let received = '';
      /** ends the body once: with `error`, or closed; a body its reader cancelled takes neither */
      const finish = (error?: Error) => {
        if (broken) return;
        broken = true;
        try {
          if (error) controller.error(error);
          else controller.close();
        } catch {
          // cancelled by its reader
        }
      };
      request.signal.addEventListener('abort', () => finish(new DOMException('aborted', 'AbortError')), { once: true });
      const onChunk = (chunk: Buffer) => {
        if (broken) return;
        let rest = chunk;
        if (!started) {
          head = Buffer.concat([head, chunk]);
          const end = head.indexOf(DELIMITER);
          if (end < 0) return;
          const prelude = JSON.parse(head.subarray(0, end).toString('utf8')) as { statusCode?: number; headers?: Record<string, string> };
          started = true;
          const status = prelude.statusCode ?? 200;
          resolve(new Response(BODYLESS.has(status) ? null : body, { status, headers: prelude.headers ?? {} }));
          rest = head.subarray(end + DELIMITER.length);
        }
        try {
          if (rest.length) controller.enqueue(new Uint8Array(rest));
        } catch {
          broken = true; // cancelled by its reader: the invocation goes on unread, as a function's does when its client leaves
          return;
        }
        received += rest.toString('utf8');
        if (!dropped && options.drop?.(received)) {
          dropped = true;
          finish(new TypeError('network connection lost'));
        }
      };
      fn.api.invoke(event, { onChunk }).then((result) => {
        if (result.kind === 'buffered') {
          const payload = result.payload as { statusCode: number; headers?: Record<string, string>; body?: string; isBase64Encoded?: boolean };
          const bytes = payload.body === undefined ? null : Buffer.from(payload.body, payload.isBase64Encoded ? 'base64' : 'utf8');
          resolve(new Response(BODYLESS.has(payload.statusCode) ? null : bytes, { status: payload.statusCode, headers: payload.headers ?? {} }));
        } else if (result.kind === 'error') reject(new Error(`the function failed: ${result.type}`));
        else finish();
      }, reject);
    });
  };
}
