/**
 * `tool http`: one request with Node's fetch. Templates fill the url (values
 * URL-encoded), headers and body; a non-2xx status is a tool error with the
 * status and a body excerpt; the body is read up to a cap (1 MiB) and
 * returned as JSON when it is JSON.
 */
import { AgentSpecError, ErrorCode } from '../errors.js';
import type { IRTool } from '../ir/types.js';
import type { SecretVault } from '../secrets/vault.js';
import { render } from './template.js';
import { formatBytes } from './tool-output.js';
import type { ToolContext, ToolExecutor } from './types.js';

export type HttpTool = Extract<IRTool, { type: 'http' }>;

export const DEFAULT_HTTP_BODY_CAP = 1024 * 1024;
const EXCERPT_CHARS = 500;

export class HttpExecutor implements ToolExecutor {
  constructor(
    private readonly tool: HttpTool,
    private readonly secrets: SecretVault,
    private readonly bodyCap = DEFAULT_HTTP_BODY_CAP,
  ) {}

  async execute(input: unknown, ctx: ToolContext): Promise<unknown> {
    const { tool, secrets } = this;
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(tool.headers)) headers[name] = await render(value, input, 'text', secrets);
    const jsonBody = isJsonContentType(headerValue(headers, 'content-type')) || /^\s*[[{]/.test(tool.body_template ?? '');
    const body =
      tool.body_template === undefined || tool.method === 'GET' ? undefined : await render(tool.body_template, input, jsonBody ? 'json' : 'text', secrets);
    if (body !== undefined && jsonBody && headerValue(headers, 'content-type') === undefined) headers['content-type'] = 'application/json';
    const url = await render(tool.url, input, 'url', secrets);
    const target = `${tool.method} ${withoutQuery(url)}`;

    let response: Response;
    try {
      response = await fetch(url, { method: tool.method, headers, body: body ?? null, signal: ctx.signal, redirect: 'follow' });
    } catch (error) {
      if (ctx.signal.aborted) throw error;
      throw new AgentSpecError(ErrorCode.ToolError, `HTTP request ${target} failed: ${networkReason(error)}.`, {
        cause: error,
        details: { method: tool.method },
      });
    }
    const { text, truncated } = await readCapped(response, this.bodyCap);
    if (!response.ok) {
      // redacted before the cut, which could split a secret and leave a piece no redactor recognises
      const body = this.secrets.redact(text);
      const excerpt = body.length > EXCERPT_CHARS ? `${body.slice(0, EXCERPT_CHARS)}…` : body;
      throw new AgentSpecError(
        ErrorCode.ToolError,
        `HTTP ${response.status} ${response.statusText} from ${target}${excerpt.trim() ? `: ${excerpt.trim()}` : ''}`,
        {
          details: { status: response.status },
        },
      );
    }
    if (truncated) return `${text}\n[response body cut at ${formatBytes(this.bodyCap)}]`;
    const contentType = response.headers.get('content-type');
    if (isJsonContentType(contentType ?? undefined) || /^\s*[[{"]/.test(text)) {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        if (isJsonContentType(contentType ?? undefined)) return text;
      }
    }
    return text;
  }
}

async function readCapped(response: Response, cap: number): Promise<{ text: string; truncated: boolean }> {
  if (!response.body) return { text: '', truncated: false };
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let truncated = false;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (size + value.length > cap) {
      chunks.push(value.subarray(0, cap - size));
      truncated = true;
      await reader.cancel().catch(() => {});
      break;
    }
    chunks.push(value);
    size += value.length;
  }
  return { text: Buffer.concat(chunks).toString('utf8'), truncated };
}

function headerValue(headers: Record<string, string>, name: string): string | undefined {
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  return key === undefined ? undefined : headers[key];
}

function isJsonContentType(value: string | undefined): boolean {
  return value !== undefined && /[/+]json\b/i.test(value);
}

function withoutQuery(url: string): string {
  const at = url.indexOf('?');
  return at === -1 ? url : `${url.slice(0, at)}?…`;
}

function networkReason(error: unknown): string {
  const cause = error instanceof Error ? (error.cause as { code?: string; message?: string } | undefined) : undefined;
  if (cause?.code === 'ECONNREFUSED') return 'connection refused (is the service running?)';
  if (cause?.code === 'ENOTFOUND') return 'host not found';
  return cause?.message ?? (error instanceof Error ? error.message : String(error));
}
