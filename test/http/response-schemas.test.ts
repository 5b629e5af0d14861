/**
 * The response schemas of the OpenAPI document, checked against what a real
 * runtime answers on every route: a schema that drifts from the responses
 * (or a response that drifts from its schema) fails here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeService, type Service } from '../../shared/compose/compose-service.js';
import { createApp } from '../../shared/http/app.js';
import { RESPONSE_SCHEMAS, STREAM_EVENTS, type ResponseId } from '../../shared/http/schemas.js';
import { prepareSchema } from '../../shared/ir/json-schema-validator.js';
import { compile } from '../../shared/lang/index.js';
import { SILENT_LOGGER } from '../../shared/telemetry/logger.js';
import { SHOUT_AGENT } from '../helpers/shout-agent.js';
import { scriptedProvider } from '../helpers/scripted-provider.js';

const PACKAGE = `package "shapes" version "1.2.3" lang "2.0"

${SHOUT_AGENT}
pipeline "twice" {
  step "first" {
    agent "helper"
    input "{{trigger.text}}"
  }
  step "second" {
    agent "helper"
    depends_on ["first"]
    input "{{steps.first.output}}"
  }
}
`;

/** Validates a body against one response component, `$ref`s resolved within the components. */
function violations(id: ResponseId, body: unknown): string[] {
  return prepareSchema({ $ref: `#/components/schemas/${id}`, components: { schemas: RESPONSE_SCHEMAS } }).violations(body);
}

let service: Service;
let app: ReturnType<typeof createApp>;
const json = (body: unknown): RequestInit => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

beforeAll(async () => {
  const { ir } = compile(PACKAGE, { file: 'shapes.ias' });
  const provider = scriptedProvider().otherwise((request, call) => {
    if (JSON.stringify(request.messages).includes('explode')) return { text: 'Partial', error: new Error('the model connection dropped') };
    return call % 2 === 0 ? { toolUses: [{ name: 'shout', input: { text: 'hi' } }] } : { text: 'Done.' };
  });
  service = await composeService({ ir: ir! }, { providerFor: () => provider });
  app = createApp({ runtime: () => service.runtime, apiKeys: false, logger: SILENT_LOGGER, telemetry: service.telemetry });
});

afterAll(() => service?.close());

describe('every response matches its schema', () => {
  it.each<[string, () => Response | Promise<Response>, number, ResponseId]>([
    ['GET /healthz', () => app.request('/healthz'), 200, 'Health'],
    ['GET /v1/agents', () => app.request('/v1/agents'), 200, 'Agents'],
    ['GET /v1/pipelines', () => app.request('/v1/pipelines'), 200, 'Pipelines'],
    ['POST invoke (with a tool call)', () => app.request('/v1/agents/helper/invoke', json({ message: 'shout hi' })), 200, 'InvokeResponse'],
    ['POST pipeline run', () => app.request('/v1/pipelines/twice/run', json({ trigger: { text: 'hi' } })), 200, 'PipelineResult'],
    ['POST invoke of an unknown agent', () => app.request('/v1/agents/nobody/invoke', json({ message: 'hi' })), 404, 'Error'],
    ['POST invoke with a bad body', () => app.request('/v1/agents/helper/invoke', json({ nope: 1 })), 400, 'Error'],
  ])('%s', async (_name, send, status, id) => {
    const response = await send();
    const body: unknown = await response.json();
    expect(response.status).toBe(status);
    expect(violations(id, body)).toEqual([]);
  });

  it('the session routes', async () => {
    const created = await app.request('/v1/agents/helper/sessions', json({}));
    const session = (await created.json()) as { session_id: string };
    const message = await app.request(`/v1/agents/helper/sessions/${session.session_id}`, json({ message: 'shout hi' }));
    const read = await app.request(`/v1/agents/helper/sessions/${session.session_id}`);
    expect([created.status, message.status, read.status]).toEqual([201, 200, 200]);
    expect(violations('SessionCreated', session)).toEqual([]);
    const answer = (await message.json()) as { tool_calls: unknown[] };
    expect(answer.tool_calls).toHaveLength(1); // the ToolCall schema is exercised too
    expect(violations('InvokeResponse', answer)).toEqual([]);
    expect(violations('Session', await read.json())).toEqual([]);
  });

  it.each([
    ['with a tool call', 'shout hi', ['run', 'tool_call_start', 'tool_call_end', 'text', 'done']],
    ['that fails mid-way', 'explode', ['run', 'text', 'error']],
  ])('every event of a stream %s matches the schema of its event name', async (_name, message, names) => {
    const response = await app.request('/v1/agents/helper/stream', json({ message }));
    const events = [...(await response.text()).matchAll(/^event: (\w+)\ndata: (.*)$/gm)].map(([, event, data]) => ({
      event: event!,
      data: JSON.parse(data!) as unknown,
    }));
    expect(events.map((e) => e.event)).toEqual(names);
    for (const { event, data } of events) expect(violations(STREAM_EVENTS[event as keyof typeof STREAM_EVENTS], data)).toEqual([]);
  });

  it('the schemas are strict enough to fail on a drifted body', () => {
    expect(violations('InvokeResponse', { output: 'x', tool_calls: [], tokens: {}, turns: 1, duration_ms: 1, extra: true })).not.toEqual([]);
  });
});
