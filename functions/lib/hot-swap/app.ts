/**
 * The deploy API served by the `deploy` Lambda function (behind IAM auth at
 * its Function URL): `POST /v1/deploy` (a `.ias` source or an IR),
 * `GET /v1/deploy`, `POST /v1/deploy/rollback`. Imports only Hono's core,
 * as `hono/tiny` with its PatternRouter like the API app (see
 * shared/http/app.ts).
 */
import type { Context } from 'hono';
import { Hono } from 'hono/tiny';
import { AgentSpecError, ErrorCode, toAgentSpecError } from '../../../shared/errors.js';
import type { IRDocument } from '../../../shared/ir/types.js';
import type { DeployedVersion } from './hot-swap.js';

/** What a client sent: package source text, or an IR document to check. */
export type DeployInput = { kind: 'source'; source: string; file?: string | undefined } | { kind: 'ir'; json: unknown };

export interface HotSwapAppOptions {
  hotSwap: { deploy(ir: IRDocument): Promise<DeployedVersion>; status(): Promise<DeployedVersion>; rollback(): Promise<DeployedVersion> };
  /** compiles or loads the input; throws `AgentSpecError` with `details.diagnostics` when invalid */
  toIR(input: DeployInput): Promise<IRDocument>;
  /** request body cap in bytes (default 5 MB) */
  maxBodyBytes?: number;
}

/** The deploy API as a Hono app. */
export function createHotSwapApp(options: HotSwapAppOptions): Hono {
  const maxBody = options.maxBodyBytes ?? 5 * 1024 * 1024;
  const app = new Hono();

  app.get('/v1/deploy', async (c) => c.json(await options.hotSwap.status()));

  app.post('/v1/deploy', async (c) => {
    const input = await readInput(c, maxBody);
    // Validation happens before anything is touched: an invalid package changes nothing.
    const ir = await options.toIR(input);
    const deployed = await options.hotSwap.deploy(ir);
    return c.json({ ...deployed, package: ir.package });
  });

  app.post('/v1/deploy/rollback', async (c) => c.json(await options.hotSwap.rollback()));

  app.notFound((c) => c.json(new AgentSpecError(ErrorCode.NotFound, `No route ${c.req.method} ${c.req.path}.`).toJSON(), 404));
  app.onError((error, c) => {
    const e = toAgentSpecError(error);
    return c.json(e.toJSON(), e.status as 400);
  });
  return app;
}

async function readInput(c: Context, maxBody: number): Promise<DeployInput> {
  const text = await c.req.text();
  if (Buffer.byteLength(text, 'utf8') > maxBody) {
    throw new AgentSpecError(ErrorCode.PayloadTooLarge, `The package is larger than ${maxBody} bytes.`, { details: { limit: maxBody } });
  }
  if (text.trim() === '')
    throw new AgentSpecError(ErrorCode.InvalidRequest, 'Send a .ias source (text/plain), an IR document or {"source": "..."} (application/json).');
  const type = c.req.header('content-type') ?? '';
  if (!type.includes('json')) return { kind: 'source', source: text, file: c.req.query('file') };
  let json: unknown;
  try {
    json = JSON.parse(text) as unknown;
  } catch (error) {
    throw new AgentSpecError(ErrorCode.InvalidRequest, `The request body is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  if (json && typeof json === 'object' && typeof (json as { source?: unknown }).source === 'string') {
    const { source, file } = json as { source: string; file?: unknown };
    return { kind: 'source', source, file: typeof file === 'string' ? file : undefined };
  }
  return { kind: 'ir', json };
}
