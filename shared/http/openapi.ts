/**
 * The OpenAPI 3.1 document of the API, generated from the zod schemas that
 * validate requests (`z.toJSONSchema`, draft 2020-12 — the dialect of
 * OpenAPI 3.1). `ROUTES` is also what the tests walk to check that every
 * described route is served.
 */
import * as z from 'zod/v4-mini';
import * as S from './schemas.js';

type Method = 'get' | 'post' | 'delete';
type Body = z.ZodMiniType | 'sse' | 'prometheus' | 'html' | 'none';

export interface RouteSpec {
  method: Method;
  /** OpenAPI path, `{param}` style */
  path: string;
  summary: string;
  request?: z.ZodMiniType;
  /** success status → body */
  responses: Record<number, Body>;
  /** error codes this route can answer with, besides `unauthorized` and `internal_error` */
  errors: number[];
  /** open routes need no API key */
  open?: boolean;
}

const agentErrors = [404, 429];
const runErrors = [400, 404, 408, 413, 422, 429, 502, 503];

export const ROUTES: RouteSpec[] = [
  { method: 'get', path: '/healthz', summary: 'Liveness: status, uptime, agent count, version', responses: { 200: S.HealthResponse }, errors: [], open: true },
  { method: 'get', path: '/v1/agents', summary: 'The agents with model, strategy, skills and counters', responses: { 200: S.AgentsResponse }, errors: [] },
  { method: 'post', path: '/v1/agents/{name}/invoke', summary: 'Run an agent to its final answer', request: S.InvokeBody, responses: { 200: S.InvokeResponse }, errors: runErrors },
  {
    method: 'post',
    path: '/v1/agents/{name}/stream',
    summary: 'Run an agent, streaming Server-Sent Events: text, tool_call_start, tool_call_end, error, done',
    request: S.InvokeBody,
    responses: { 200: 'sse' },
    errors: [400, 404, 413, 429],
  },
  { method: 'post', path: '/v1/agents/{name}/sessions', summary: 'Create a session', request: S.CreateSessionBody, responses: { 201: S.SessionCreated }, errors: [400, 404, 413, 429] },
  { method: 'post', path: '/v1/agents/{name}/sessions/{id}', summary: 'Send a message in a session', request: S.SessionMessageBody, responses: { 200: S.InvokeResponse }, errors: runErrors },
  { method: 'get', path: '/v1/agents/{name}/sessions/{id}', summary: "A session's messages", responses: { 200: S.SessionResponse }, errors: agentErrors },
  { method: 'delete', path: '/v1/agents/{name}/sessions/{id}', summary: 'Delete a session', responses: { 204: 'none' }, errors: agentErrors },
  { method: 'get', path: '/v1/pipelines', summary: 'The pipelines and their steps', responses: { 200: S.PipelinesResponse }, errors: [] },
  { method: 'post', path: '/v1/pipelines/{name}/run', summary: 'Run a pipeline: per-step outputs, statuses, durations, tokens', request: S.PipelineRunBody, responses: { 200: S.PipelineResultResponse }, errors: runErrors },
  { method: 'get', path: '/v1/metrics', summary: 'Prometheus metrics', responses: { 200: 'prometheus' }, errors: [] },
  { method: 'get', path: '/openapi.json', summary: 'This document', responses: { 200: 'none' }, errors: [] },
];

const PLAYGROUND: RouteSpec = { method: 'get', path: '/', summary: 'The playground page', responses: { 200: 'html' }, errors: [], open: true };

/** Routes served by an app, with or without the playground page. */
export function routesOf(options: { playground: boolean }): RouteSpec[] {
  return options.playground ? [PLAYGROUND, ...ROUTES] : ROUTES;
}

/** Builds the OpenAPI 3.1 document. */
export function openApiDocument(options: { version: string; playground: boolean }): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  const schemas: Record<string, unknown> = {};
  // Schemas with a `meta({id})` come out as `{$ref: '#/$defs/Id', $defs}`; their definitions move to components.
  const ref = (schema: z.ZodMiniType, io: 'input' | 'output') => {
    const text = JSON.stringify(z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }));
    const { $schema: _drop, $defs, ...rest } = JSON.parse(text.replaceAll('#/$defs/', '#/components/schemas/')) as Record<string, unknown>;
    // Request schemas are only read as input and response schemas only as output, so one id has one form.
    Object.assign(schemas, $defs ?? {});
    return rest;
  };
  const errorRef = ref(S.ErrorResponse, 'output');
  for (const route of routesOf(options)) {
    const parameters = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
    const responses: Record<string, unknown> = {};
    for (const [status, body] of Object.entries(route.responses)) responses[status] = { description: 'Success', ...content(body, ref) };
    for (const status of [...route.errors, ...(route.open ? [] : [401]), 500]) {
      responses[String(status)] = { description: 'Error', content: { 'application/json': { schema: errorRef } } };
    }
    paths[route.path] ??= {};
    paths[route.path]![route.method] = {
      summary: route.summary,
      ...(parameters.length ? { parameters } : {}),
      ...(route.request ? { requestBody: { required: true, content: { 'application/json': { schema: ref(route.request, 'input') } } } } : {}),
      responses,
      ...(route.open ? { security: [] } : {}),
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'AgentSpec Runtime API', version: options.version },
    paths,
    components: {
      schemas,
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' }, apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' } },
    },
    security: [{ bearer: [] }, { apiKey: [] }],
  };
}

function content(body: Body, ref: (s: z.ZodMiniType, io: 'input' | 'output') => unknown): Record<string, unknown> {
  if (body === 'none') return {};
  if (body === 'sse') return { content: { 'text/event-stream': { schema: { type: 'string' } } } };
  if (body === 'prometheus') return { content: { 'text/plain; version=0.0.4': { schema: { type: 'string' } } } };
  if (body === 'html') return { content: { 'text/html': { schema: { type: 'string' } } } };
  return { content: { 'application/json': { schema: ref(body, 'output') } } };
}
