/**
 * The route table of docs/http-api.md is the OpenAPI document's, rendered by
 * `test/docs/http-routes.ts`: a route added, removed or changed in
 * `shared/http/openapi.ts` makes this fail until the page is regenerated.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { openApiDocument } from '../../shared/http/openapi.js';
import { BEGIN, END, PAGE, renderRouteTable, withTable } from './http-routes.js';

describe('docs/http-api.md', () => {
  it('lists every route of the OpenAPI document, one row each', () => {
    const doc = openApiDocument({ version: 'docs', playground: true }) as { paths: Record<string, Record<string, unknown>> };
    const operations = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `\`${m.toUpperCase()} ${path}\``));
    const table = renderRouteTable();
    for (const op of operations) expect(table).toContain(`| ${op} |`);
    expect(table.split('\n')).toHaveLength(operations.length + 2);
  });

  it('holds the table as generated (regenerate: npx tsx test/docs/http-routes.ts --write)', () => {
    const page = readFileSync(PAGE, 'utf8');
    expect(page).toContain(BEGIN);
    expect(page).toContain(END);
    expect(page).toBe(withTable(page, renderRouteTable()));
  });
});
