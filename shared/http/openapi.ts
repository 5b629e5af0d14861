/**
 * The OpenAPI 3.1 document of the API. Its components are the JSON Schemas
 * of `schemas.ts`: the request schemas are the ones that validate requests.
 * `ROUTES` is also what the tests walk to check that every described route
 * is served.
 */
import { EVAL_ROUTE_SPECS } from './routes/eval.js';
import type { JsonSchema } from '../ir/types.js';
import {
  ApprovalBody,
  CreateSessionBody,
  InvokeBody,
  PipelineRunBody,
  ref,
  RESPONSE_SCHEMAS,
  SessionMessageBody,
  STREAM_EVENTS,
  type BodySchema,
  type ResponseId,
} from './schemas.js';

type Method = 'get' | 'post' | 'delete';
type Body = ResponseId | 'sse' | 'prometheus' | 'html' | 'none';

export interface RouteSpec {
  method: Method;
  /** OpenAPI path, `{param}` style */
  path: string;
  summary: string;
  request?: BodySchema<unknown, unknown>;
  /** success status → body */
  responses: Record<number, Body>;
  /**
   * error statuses this route can answer with, besides those added to every
   * route: 403 (a key-less local server refusing a non-loopback `Host` or another
   * origin), 401 and 429 (missing or repeatedly wrong keys; not on open routes),
   * 415 (a body that is not JSON; routes with a request body) and 500
   */
  errors: number[];
  /** open routes need no API key */
  open?: boolean;
}

const agentErrors = [404, 429];
const runErrors = [400, 404, 408, 413, 422, 429, 502, 503];

export const ROUTES: RouteSpec[] = [
  { method: 'get', path: '/healthz', summary: 'Liveness: status, uptime, agent count, version', responses: { 200: 'Health' }, errors: [], open: true },
  {
    method: 'get',
    path: '/v1/agents',
    summary: 'The agents with model, strategy, skills, prompt variables and counters',
    responses: { 200: 'Agents' },
    errors: [],
  },
  {
    method: 'post',
    path: '/v1/agents/{name}/invoke',
    summary: 'Run an agent to its final answer (202: detached, or paused for approvals); the run id is in X-Run-Id',
    request: InvokeBody,
    responses: { 200: 'InvokeResponse', 202: 'RunAccepted' },
    errors: runErrors,
  },
  {
    method: 'post',
    path: '/v1/agents/{name}/stream',
    summary: 'Run an agent, streaming Server-Sent Events: run, text, tool_call_start, tool_call_end, approval_required, then done, error or waiting',
    request: InvokeBody,
    responses: { 200: 'sse' },
    errors: [400, 404, 413, 429],
  },
  {
    method: 'post',
    path: '/v1/agents/{name}/sessions',
    summary: 'Create a session',
    request: CreateSessionBody,
    responses: { 201: 'SessionCreated' },
    errors: [400, 404, 413, 429],
  },
  {
    method: 'post',
    path: '/v1/agents/{name}/sessions/{id}',
    summary: 'Send a message in a session (a run, answered like invoke)',
    request: SessionMessageBody,
    responses: { 200: 'InvokeResponse', 202: 'RunAccepted' },
    errors: runErrors,
  },
  { method: 'get', path: '/v1/agents/{name}/sessions/{id}', summary: "A session's messages", responses: { 200: 'Session' }, errors: agentErrors },
  { method: 'delete', path: '/v1/agents/{name}/sessions/{id}', summary: 'Delete a session', responses: { 204: 'none' }, errors: agentErrors },
  { method: 'get', path: '/v1/pipelines', summary: 'The pipelines and their steps', responses: { 200: 'Pipelines' }, errors: [] },
  {
    method: 'post',
    path: '/v1/pipelines/{name}/run',
    summary: 'Run a pipeline: per-step outputs, statuses, durations, tokens (202: detached)',
    request: PipelineRunBody,
    responses: { 200: 'PipelineResult', 202: 'RunAccepted' },
    errors: runErrors,
  },
  { method: 'get', path: '/v1/runs/{id}', summary: "A run's status, and its result, error or pending approvals", responses: { 200: 'Run' }, errors: [404] },
  {
    method: 'get',
    path: '/v1/runs/{id}/events',
    summary: "A run's events as Server-Sent Events: the log after Last-Event-ID (or ?after=), then live until done, error or waiting",
    responses: { 200: 'sse' },
    errors: [400, 404],
  },
  {
    method: 'post',
    path: '/v1/runs/{id}/cancel',
    summary: 'Stop a running or waiting run; answers its status (409 when it has already ended)',
    responses: { 200: 'Run' },
    errors: [404, 409],
  },
  {
    method: 'post',
    path: '/v1/runs/{id}/approvals/{approval}',
    summary:
      'Decide a pending approval; once all are decided the run resumes: answered like invoke (200, or 202 when detached or paused again), or as Server-Sent Events with Accept: text/event-stream',
    request: ApprovalBody,
    responses: { 200: 'InvokeResponse', 202: 'RunAccepted' },
    errors: [400, 404, 409, 413, 422, 429, 502, 503],
  },
  { method: 'get', path: '/v1/metrics', summary: 'Prometheus metrics', responses: { 200: 'prometheus' }, errors: [] },
  { method: 'get', path: '/openapi.json', summary: 'This document', responses: { 200: 'none' }, errors: [] },
];

const PLAYGROUND: RouteSpec = { method: 'get', path: '/', summary: 'The playground page', responses: { 200: 'html' }, errors: [], open: true };

/** Routes served by an app, with or without the playground page. */
export function routesOf(options: { playground: boolean }): RouteSpec[] {
  return options.playground ? [PLAYGROUND, ...EVAL_ROUTE_SPECS, ...ROUTES] : ROUTES;
}

/** Builds the OpenAPI 3.1 document. */
export function openApiDocument(options: { version: string; playground: boolean }): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  const schemas: Record<string, JsonSchema> = { ...RESPONSE_SCHEMAS };
  for (const route of routesOf(options)) {
    const parameters = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
    const responses: Record<string, unknown> = {};
    for (const [status, body] of Object.entries(route.responses)) responses[status] = { description: 'Success', ...content(body) };
    for (const status of [...route.errors, 403, ...(route.open ? [] : [401, 429]), ...(route.request ? [415] : []), 500]) {
      responses[String(status)] = { description: 'Error', content: { 'application/json': { schema: ref('Error') } } };
    }
    if (route.request) schemas[route.request.id] = route.request.schema;
    paths[route.path] ??= {};
    paths[route.path]![route.method] = {
      summary: route.summary,
      ...(parameters.length ? { parameters } : {}),
      ...(route.request ? { requestBody: { required: true, content: { 'application/json': { schema: ref(route.request.id) } } } } : {}),
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

function content(body: Body): Record<string, unknown> {
  if (body === 'none') return {};
  if (body === 'sse') {
    const events = Object.entries(STREAM_EVENTS).map(([event, id]) => `\`${event}\` (#/components/schemas/${id})`);
    return {
      content: { 'text/event-stream': { schema: { type: 'string', description: `Server-Sent Events; each \`data:\` is JSON: ${events.join(', ')}` } } },
    };
  }
  if (body === 'prometheus') return { content: { 'text/plain; version=0.0.4': { schema: { type: 'string' } } } };
  if (body === 'html') return { content: { 'text/html': { schema: { type: 'string' } } } };
  return { content: { 'application/json': { schema: ref(body) } } };
}
