/**
 * Reads and validates a JSON request body. The size limit is enforced while
 * reading (not only from `content-length`, which a chunked request lacks), and
 * every schema violation is reported in `details.issues` as `{path, code,
 * message}`: the dotted path of the offending value (`''` for the body
 * itself), the JSON Schema keyword it breaks, and a sentence.
 */
import type { Context } from 'hono';
import { AgentSpecError, ErrorCode } from '../errors.js';
import type { BodySchema } from './schemas.js';

/**
 * Parses the body as JSON (an empty body is `{}`), validates it against
 * `body` and fills in the top-level defaults the schema declares.
 */
export async function readBody<T>(c: Context, body: BodySchema<T>, limitBytes: number): Promise<T> {
  const text = await readText(c.req.raw, limitBytes);
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
    const issues = violations.map((v) => ({ path: dottedPath(v.pointer), code: v.keyword, message: v.message }));
    const summary = issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ');
    throw new AgentSpecError(ErrorCode.InvalidRequest, `The request body is invalid: ${summary}.`, { details: { issues } });
  }
  const value = raw as Record<string, unknown>;
  const properties = (body.schema.properties ?? {}) as Record<string, { default?: unknown }>;
  for (const [key, property] of Object.entries(properties)) if (!(key in value) && property.default !== undefined) value[key] = structuredClone(property.default);
  return value as T;
}

/** `/variables/x` → `variables.x` (JSON pointer escapes decoded). */
function dottedPath(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((part) => decodeURIComponent(part).replaceAll('~1', '/').replaceAll('~0', '~'))
    .join('.');
}

/** Rejects a declared oversize body before reading it. */
export function checkContentLength(request: Request, limitBytes: number): void {
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (declared > limitBytes) throw tooLarge(limitBytes);
}

async function readText(request: Request, limitBytes: number): Promise<string> {
  checkContentLength(request, limitBytes);
  if (!request.body) return '';
  // A declared length within the limit was checked above; reading the whole body lets the
  // Node adapter use its fast path (several times cheaper than pulling a web stream).
  if (request.headers.has('content-length')) {
    const bytes = await request.arrayBuffer();
    if (bytes.byteLength > limitBytes) throw tooLarge(limitBytes);
    return Buffer.from(bytes).toString('utf8');
  }
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limitBytes) {
      await reader.cancel().catch(() => {});
      throw tooLarge(limitBytes);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function tooLarge(limitBytes: number): AgentSpecError {
  return new AgentSpecError(ErrorCode.PayloadTooLarge, `The request body exceeds ${limitBytes} bytes.`, {
    details: { limit_bytes: limitBytes },
  });
}
