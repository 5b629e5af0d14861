/**
 * The JSON Schemas (2020-12, the dialect of OpenAPI 3.1) of the HTTP API.
 * Request schemas validate bodies (`read-body.ts`, with the same
 * `@cfworker/json-schema` interpreter as the IR and tool inputs); the same
 * schemas, with the response schemas beside them, are the components of
 * `/openapi.json`, so the description cannot drift from what the server
 * accepts.
 *
 * Plain objects, not a schema library: zod (mini) and the request schemas
 * built with it were ≈ 90 KB of every Lambda bundle's start-up code and
 * ≈ 16 ms of its import, for four request bodies.
 */
import { prepareSchema, type PreparedSchema } from '../ir/json-schema-validator.js';
import type { JsonSchema } from '../ir/types.js';

/** A request body: its OpenAPI component id, its schema and the TypeScript type it validates. */
export interface BodySchema<T> {
  readonly id: string;
  readonly schema: JsonSchema;
  /** prepared on first use */
  prepared(): PreparedSchema;
  /** phantom: the type of a valid body (never set) */
  readonly type?: T;
}

function body<T>(id: string, schema: JsonSchema): BodySchema<T> {
  let prepared: PreparedSchema | undefined;
  return { id, schema, prepared: () => (prepared ??= prepareSchema(schema)) };
}

const text: JsonSchema = { type: 'string' };
const num: JsonSchema = { type: 'number' };
const int: JsonSchema = { type: 'integer' };
/** A reference to an OpenAPI component by id. */
export const ref = (id: string): JsonSchema => ({ $ref: `#/components/schemas/${id}` });
const array = (items: JsonSchema): JsonSchema => ({ type: 'array', items });
const record = (values: JsonSchema): JsonSchema => ({ type: 'object', additionalProperties: values });
/** An object with exactly these properties; every one is required unless listed in `optional`. */
function object(properties: Record<string, JsonSchema>, optional: string[] = []): JsonSchema {
  const required = Object.keys(properties).filter((k) => !optional.includes(k));
  return { type: 'object', properties, ...(required.length > 0 ? { required } : {}), additionalProperties: false };
}
const described = (schema: JsonSchema, description: string): JsonSchema => ({ ...schema, description });

const message: JsonSchema = { type: 'string', minLength: 1, maxLength: 1_000_000 };
const variables = record({ type: ['string', 'number', 'boolean'] });

export type Scalar = string | number | boolean;

export const InvokeBody = body<{ message: string; variables?: Record<string, Scalar>; session_id?: string }>(
  'InvokeRequest',
  object(
    {
      message: described(message, 'the user message'),
      variables: described(variables, "values for the agent prompt's variables"),
      session_id: described({ type: 'string', minLength: 1, maxLength: 200 }, 'continue this existing session'),
    },
    ['variables', 'session_id'],
  ),
);

export const SessionMessageBody = body<{ message: string; variables?: Record<string, Scalar> }>(
  'SessionMessageRequest',
  object({ message, variables }, ['variables']),
);

export const CreateSessionBody = body<{ ttl_seconds?: number }>(
  'CreateSessionRequest',
  object({ ttl_seconds: described({ type: 'integer', exclusiveMinimum: 0, maximum: 31_536_000 }, 'lifetime of the session') }, ['ttl_seconds']),
);

export const PipelineRunBody = body<{ trigger: Record<string, unknown> }>(
  'PipelineRunRequest',
  object({ trigger: { ...described(record({}), 'values for `{{trigger.*}}` templates'), default: {} } }, ['trigger']),
);

const tokens: JsonSchema = object({ input: num, output: num, cache_read: num, cache_write: num, total: num });

/** Response schemas and the shared parts they refer to, by OpenAPI component id. */
export const RESPONSE_SCHEMAS = {
  TokenUsage: tokens,
  ToolCall: object({ id: text, name: text, input: {}, output: {}, error: text, status: { type: 'string', enum: ['ok', 'error'] }, duration_ms: num }, [
    'output',
    'error',
  ]),
  InvokeResponse: object({ output: text, tool_calls: array(ref('ToolCall')), tokens: ref('TokenUsage'), turns: int, duration_ms: num, session_id: text }, [
    'session_id',
  ]),
  Error: object({ error: described(text, 'error code'), message: text, details: record({}) }),
  Health: object(
    {
      status: { type: 'string', const: 'ok' },
      uptime_s: num,
      agents: int,
      version: described(text, 'the version of AgentSpec Runtime serving'),
      package: described(object({ name: text, version: text }), 'the agent package served, as its `package` line declares it'),
      ir_hash: described(text, "SHA-256 (hex) of the served package's IR: the same package gives the same hash on every entry point"),
      inline_code: described(
        object({ mode: { type: 'string', enum: ['bubblewrap', 'refused', 'unsafe'] }, seccomp: { type: 'boolean' }, missing: array(text) }),
        'how inline tools run here; present when the package has inline tools',
      ),
    },
    ['inline_code'],
  ),
  Agents: object({
    agents: array(object({ name: text, model: text, strategy: text, skills: array(text), counters: object({ invocations: num, errors: num, tokens: num }) })),
  }),
  Pipelines: object({ pipelines: array(object({ name: text, steps: array(text) })) }),
  SessionCreated: object({ session_id: text, agent: text, created_at: text }),
  Session: object({
    session_id: text,
    agent: text,
    messages: array(object({ role: { type: 'string', enum: ['user', 'assistant'] }, content: array(record({})) })),
  }),
  PipelineResult: object(
    {
      pipeline: text,
      status: { type: 'string', enum: ['succeeded', 'failed'] },
      failed_step: text,
      steps: array(
        object(
          {
            name: text,
            agent: text,
            status: { type: 'string', enum: ['succeeded', 'failed', 'skipped', 'cancelled'] },
            output: text,
            error: object({ error: text, message: text }),
            duration_ms: num,
            tokens: ref('TokenUsage'),
          },
          ['output', 'error'],
        ),
      ),
      duration_ms: num,
      tokens: ref('TokenUsage'),
    },
    ['failed_step'],
  ),
} satisfies Record<string, JsonSchema>;

export type ResponseId = keyof typeof RESPONSE_SCHEMAS;
