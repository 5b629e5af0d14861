/**
 * Reads and validates a JSON request body. The size limit is enforced while
 * reading (not only from `content-length`, which a chunked request lacks), and
 * every zod issue is reported in `details.issues`.
 */
import type { Context } from 'hono';
import type * as z from 'zod/v4-mini';
import { AgentSpecError, ErrorCode } from '../errors.js';

/** Parses the body as JSON (an empty body is `{}`) and validates it against `schema`. */
export async function readBody<S extends z.ZodMiniType>(c: Context, schema: S, limitBytes: number): Promise<z.output<S>> {
  const text = await readText(c.req.raw, limitBytes);
  let raw: unknown = {};
  if (text.trim() !== '') {
    try {
      raw = JSON.parse(text);
    } catch (cause) {
      throw new AgentSpecError(ErrorCode.InvalidRequest, 'The request body is not valid JSON.', { cause });
    }
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({ path: i.path.join('.'), code: i.code, message: i.message }));
    const summary = issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ');
    throw new AgentSpecError(ErrorCode.InvalidRequest, `The request body is invalid: ${summary}.`, { details: { issues } });
  }
  return parsed.data;
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
