/**
 * The route table of docs/http-api.md, rendered from the OpenAPI document the
 * server itself serves (`openApiDocument()`), so the docs cannot drift from
 * the routes. `http-api.test.ts` fails when the page is stale; rewrite it with
 *
 *   npx tsx test/docs/http-routes.ts --write
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { openApiDocument } from '../../shared/http/openapi.js';

export const PAGE = 'docs/http-api.md';
export const BEGIN = '<!-- BEGIN routes: generated from openApiDocument() by test/docs/http-routes.ts (run it with --write to update) -->';
export const END = '<!-- END routes -->';

type Schema = { $ref?: string; type?: string; properties?: Record<string, unknown>; required?: string[] };
type Operation = {
  summary: string;
  requestBody?: { content: Record<string, { schema: Schema }> };
  responses: Record<string, { description: string; content?: Record<string, { schema: Schema }> }>;
  security?: unknown[];
};

/** `{a, b?}` for an object schema (optional properties marked `?`), through one `$ref`. */
function shape(schema: Schema, components: Record<string, Schema>): string {
  const resolved = schema.$ref ? components[schema.$ref.split('/').pop()!]! : schema;
  if (!resolved.properties) return `\`${resolved.type ?? 'any'}\``;
  const required = new Set(resolved.required ?? []);
  return `\`{${Object.keys(resolved.properties)
    .map((k) => (required.has(k) ? k : `${k}?`))
    .join(', ')}}\``;
}

const MEDIA: Record<string, string> = { 'text/event-stream': 'Server-Sent Events', 'text/html': 'HTML page' };

function success(status: string, media: Record<string, { schema: Schema }> | undefined, components: Record<string, Schema>): string {
  const [type, body] = Object.entries(media ?? {})[0] ?? [];
  if (!type) return status;
  if (type === 'application/json') return `${status} ${shape(body!.schema, components)}`;
  if (type.startsWith('text/plain')) return `${status} Prometheus text`;
  return `${status} ${MEDIA[type] ?? type}`;
}

/** The Markdown table of every route, in the order the OpenAPI document lists them. */
export function renderRouteTable(): string {
  const doc = openApiDocument({ version: 'docs', playground: true }) as {
    paths: Record<string, Record<string, Operation>>;
    components: { schemas: Record<string, Schema> };
  };
  const components = doc.components.schemas;
  const rows = ['| route | what | request body | success | error statuses | API key |', '|---|---|---|---|---|---|'];
  for (const [path, operations] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(operations)) {
      const body = op.requestBody ? shape(op.requestBody.content['application/json']!.schema, components) : '';
      const statuses = Object.entries(op.responses);
      const ok = statuses.filter(([, r]) => r.description !== 'Error').map(([s, r]) => success(s, r.content, components));
      const errors = statuses
        .filter(([, r]) => r.description === 'Error')
        .map(([s]) => s)
        .sort();
      const key = op.security?.length === 0 ? 'open' : 'needed';
      rows.push(`| \`${method.toUpperCase()} ${path}\` | ${op.summary} | ${body} | ${ok.join(', ')} | ${errors.join(', ')} | ${key} |`);
    }
  }
  return rows.join('\n');
}

/** The page with its generated part replaced by `table`. */
export function withTable(page: string, table: string): string {
  const begin = page.indexOf(BEGIN);
  const end = page.indexOf(END);
  if (begin < 0 || end < begin) throw new Error(`${PAGE} has no "${BEGIN}" … "${END}" section`);
  return `${page.slice(0, begin + BEGIN.length)}\n${table}\n${page.slice(end)}`;
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv.includes('--write')) {
  writeFileSync(PAGE, withTable(readFileSync(PAGE, 'utf8'), renderRouteTable()));
  process.stdout.write(`${PAGE}: route table rewritten\n`);
}
