/**
 * Reads and validates a JSON request body. The body must be declared JSON
 * (`application/json` or a `+json` type, UTF-8): a browser can send a
 * `text/plain` or form body to any origin without asking, so refusing them
 * keeps cross-site pages from running agents. The size limit is enforced while
 * reading (not only from `content-length`, which a chunked request lacks), and
 * every schema violation is reported in `details.issues` as `{path, code,
 * message}`: the dotted path of the offending value (`''` for the body
 * itself), the JSON Schema keyword it breaks, and a sentence.
 */
import type { Context } from 'hono';
import { AgentSpecError, ErrorCode } from '../errors.js';
import { fieldPath } from '../ir/json-schema-validator.js';
import type { BodySchema } from './schemas.js';

/**
 * Parses the body as JSON (an empty body is `{}`), validates it against
 * `body` and fills in the top-level defaults the schema declares.
 */
export async function readBody<T>(c: Context, body: BodySchema<T, unknown>, limitBytes: number): Promise<T> {
  // A body must be declared JSON; a request without one may omit the type (`curl -X POST …/sessions`).
  const declared = c.req.header('content-type');
  if (declared !== undefined && !isJson(declared)) throw unsupported(declared);
  const text = await readText(c.req.raw, limitBytes);
  if (declared === undefined && text !== '') throw unsupported('none');
  let raw: unknown = {};
  if (text.trim() !== '') {
    try {
      raw = JSON.parse(text);
    } catch (cause) {
      throw new AgentSpecError(ErrorCode.InvalidRequest, 'The request body is not valid JSON.', { cause });
    }
  }
  const violations = body.prepared().issues(raw);
  if (violations.length > 0) {
    const issues = violations.map((v) => ({ path: fieldPath(v.pointer), code: v.keyword, message: v.message }));
    const summary = issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ');
    throw new AgentSpecError(ErrorCode.InvalidRequest, `The request body is invalid: ${summary}.`, { details: { issues } });
  }
  const value = raw as Record<string, unknown>;
  const properties = (body.schema.properties ?? {}) as Record<string, { default?: unknown }>;
  for (const [key, property] of Object.entries(properties))
    if (!(key in value) && property.default !== undefined) value[key] = structuredClone(property.default);
  return value as T;
}

/**
 * True for a JSON media type: `application/json` or `application/*+json`,
 * with no charset or UTF-8 (the only one JSON is exchanged in, RFC 8259).
 */
function isJson(contentType: string): boolean {
  const [type = '', ...parameters] = contentType.split(';').map((part) => part.trim().toLowerCase());
  const charset = parameters
    .find((p) => p.startsWith('charset='))
    ?.slice('charset='.length)
    .replaceAll('"', '');
  return JSON_TYPE.test(type) && (charset === undefined || charset === 'utf-8' || charset === 'utf8');
}

const JSON_TYPE = /^application\/(?:[\w.-]+\+)?json$/;

function unsupported(declared: string): AgentSpecError {
  return new AgentSpecError(ErrorCode.UnsupportedMediaType, 'The request body must be JSON: send "Content-Type: application/json".', {
    details: { content_type: declared.slice(0, 200) },
  });
}

/**
 * A body over the limit is still read to its end (and dropped) when it is at
 * most this many times the limit and arrives within {@link DISCARD_MS}:
 * a client that sends its whole body before it reads the answer (Python's
 * `urllib`, for one) then receives the 413 instead of a connection reset.
 * Anything larger or slower is cut off unread; the 413 then closes the
 * connection (`errorResponse`), on Node with a lingering close
 * (`local/lingering-close.ts`) so that the client still reads it.
 */
export const DISCARD_FACTOR = 4;
export const DISCARD_MS = 10_000;

/** The body as text; `payload_too_large` over the limit, `cancelled` when the client goes away before the body ends. */
async function readText(request: Request, limitBytes: number): Promise<string> {
  const declared = request.headers.get('content-length');
  try {
    if (declared === null) return request.body ? await readStream(request.body, limitBytes, undefined) : '';
    const length = Number(declared);
    if (length === 0) return '';
    // Within the limit, reading the whole body lets the Node adapter use its fast path
    // (several times cheaper than pulling a web stream); the parser stops at the declared length.
    if (length <= limitBytes) return Buffer.from(await request.arrayBuffer()).toString('utf8');
    return request.body ? await readStream(request.body, limitBytes, length) : '';
  } catch (error) {
    if (error instanceof AgentSpecError) throw error;
    throw new AgentSpecError(ErrorCode.Cancelled, 'The client closed the connection before the request body ended.', { cause: error });
  }
}

/** Reads a body of unknown (or declared oversize) length, keeping at most `limitBytes` and discarding an oversize rest within bounds. */
async function readStream(body: ReadableStream<Uint8Array>, limitBytes: number, declared: number | undefined): Promise<string> {
  const discardBytes = limitBytes * DISCARD_FACTOR;
  if (declared !== undefined && declared > discardBytes) throw tooLarge(limitBytes);
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let deadline: { expired: Promise<'expired'>; clear(): void } | undefined;
  try {
    for (;;) {
      const read = reader.read();
      const next = deadline ? await Promise.race([read, deadline.expired]) : await read;
      if (next === 'expired') {
        read.catch(() => {}); // rejected when the lock is released below
        throw tooLarge(limitBytes);
      }
      if (next.done) break;
      size += next.value.byteLength;
      if (size > discardBytes) throw tooLarge(limitBytes);
      if (size <= limitBytes) chunks.push(next.value);
      else if (!deadline) {
        chunks.length = 0;
        deadline = timeLimit(DISCARD_MS);
      }
    }
  } finally {
    deadline?.clear();
    reader.releaseLock();
  }
  if (size > limitBytes) throw tooLarge(limitBytes);
  return Buffer.concat(chunks).toString('utf8');
}

function timeLimit(ms: number): { expired: Promise<'expired'>; clear(): void } {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<'expired'>((resolve) => (timer = setTimeout(() => resolve('expired'), ms)));
  return { expired, clear: () => clearTimeout(timer) };
}

function tooLarge(limitBytes: number): AgentSpecError {
  return new AgentSpecError(ErrorCode.PayloadTooLarge, `The request body exceeds ${limitBytes} bytes.`, {
    details: { limit_bytes: limitBytes },
  });
}
