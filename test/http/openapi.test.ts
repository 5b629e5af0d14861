/** /openapi.json: an OpenAPI 3.1 document describing exactly the served routes, with request schemas from the validating zod schemas. */
import { EVAL_ROUTE_SPECS } from '../../shared/http/routes/eval.js';
import { describe, expect, it } from 'vitest';
import { ROUTES } from '../../shared/http/openapi.js';
import { appWith, post } from './helpers.js';

interface Doc {
  openapi: string;
  paths: Record<
    string,
    Record<string, { requestBody?: { content: { 'application/json': { schema: { $ref: string } } } }; responses: Record<string, unknown> }>
  >;
  components: { schemas: Record<string, { required?: string[]; properties?: Record<string, unknown>; additionalProperties?: unknown }> };
}

describe('GET /openapi.json', () => {
  const { app } = appWith({}, { playgroundHtml: '<p>hi</p>' });
  const fetchDoc = async () => (await (await app.request('/openapi.json')).json()) as Doc;

  it('describes every route the app serves, and only those', async () => {
    const doc = await fetchDoc();
    expect(doc.openapi).toBe('3.1.0');
    const described = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
    const served = app.routes.filter((r) => r.method !== 'ALL').map((r) => `${r.method} ${r.path.replace(/:(\w+)/g, '{$1}')}`);
    expect(new Set(described)).toEqual(new Set(served));
    // the playground page and the dev-only eval routes served beside it
    expect(described).toHaveLength(ROUTES.length + 1 + EVAL_ROUTE_SPECS.length);
  });

  it('takes request schemas from the zod schemas that validate requests', async () => {
    const doc = await fetchDoc();
    const ref = doc.paths['/v1/agents/{name}/invoke']!.post!.requestBody!.content['application/json'].schema.$ref;
    const schema = doc.components.schemas[ref.split('/').at(-1)!]!;
    expect(schema.required).toEqual(['message']);
    expect(Object.keys(schema.properties!).sort()).toEqual(['config', 'detach', 'message', 'session_id', 'variables']);
    expect(schema.additionalProperties).toBe(false);
    // The same schema rejects what the document forbids.
    expect((await app.request('/v1/agents/echo/invoke', post({ message: 'x', unknown: 1 }))).status).toBe(400);
  });

  it('documents the error responses of each route', async () => {
    const doc = await fetchDoc();
    expect(Object.keys(doc.paths['/v1/agents/{name}/invoke']!.post!.responses).sort()).toEqual(
      ['200', '202', '400', '401', '403', '404', '408', '413', '415', '422', '429', '500', '502', '503'].sort(),
    );
    expect(Object.keys(doc.paths['/healthz']!.get!.responses).sort()).toEqual(['200', '403', '500']);
    expect(Object.keys(doc.paths['/v1/agents']!.get!.responses).sort()).toEqual(['200', '401', '403', '429', '500']);
  });
});
