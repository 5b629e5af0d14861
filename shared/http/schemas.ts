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
import { VARIABLE_TYPES } from '../ir/enums.js';
import { RUN_KINDS, RUN_STATUSES } from '../runs/types.js';
import { prepareSchema, type PreparedSchema } from '../ir/json-schema-validator.js';
import type { JsonSchema } from '../ir/types.js';
import type { SchemaType } from './schema-type.js';

/** A request body: its OpenAPI component id, its schema and the TypeScript type it validates. */
export interface BodySchema<T, Sent = T> {
  readonly id: string;
  readonly schema: JsonSchema;
  /** prepared on first use */
  prepared(): PreparedSchema;
  /** phantom: the type of a valid body once its defaults are filled in (never set) */
  readonly type?: T;
  /** phantom: the type of what a client may send (never set) */
  readonly sent?: Sent;
}

/** The properties a schema gives a `default`: present once the body is read (`read-body.ts` fills them in). */
type DefaultedKeys<S> = S extends { properties: infer P } ? { [K in keyof P]: P[K] extends { default: unknown } ? K : never }[keyof P] : never;
type WithDefaults<S, T = SchemaType<S>> = { [K in keyof T]: T[K] } & { [K in DefaultedKeys<S> & keyof T]-?: Exclude<T[K], undefined> };

function body<const S extends JsonSchema>(id: string, schema: S): BodySchema<WithDefaults<S>, SchemaType<S>> {
  let prepared: PreparedSchema | undefined;
  return { id, schema, prepared: () => (prepared ??= prepareSchema(schema)) };
}

// The helpers keep each schema's literal type, so `SchemaType` below can read
// the TypeScript type of a body off the very object that validates it.
const text = { type: 'string' } as const;
const num = { type: 'number' } as const;
const int = { type: 'integer' } as const;
const bool = { type: 'boolean' } as const;
/** A reference to an OpenAPI component by id. */
export const ref = <const Id extends string>(id: Id) => ({ $ref: `#/components/schemas/${id}` as const });
const array = <const I extends JsonSchema>(items: I) => ({ type: 'array', items }) as const;
const record = <const V extends JsonSchema>(values: V) => ({ type: 'object', additionalProperties: values }) as const;
const oneOf = <const E extends readonly string[]>(values: E) => ({ type: 'string', enum: values }) as const;
/** An object with exactly these properties; every one is required unless listed in `optional`. */
function object<const P extends Record<string, JsonSchema>, const O extends readonly (keyof P & string)[] = []>(properties: P, optional?: O) {
  const required = Object.keys(properties).filter((k) => !optional?.includes(k)) as Exclude<keyof P & string, O[number]>[];
  return { type: 'object', properties, ...(required.length > 0 ? { required } : {}), additionalProperties: false } as {
    type: 'object';
    properties: P;
    required?: Exclude<keyof P & string, O[number]>[];
    additionalProperties: false;
  };
}
const described = <const S extends JsonSchema>(schema: S, description: string) => ({ ...schema, description });

const message = { type: 'string', minLength: 1, maxLength: 1_000_000 } as const;
const variables = record({ type: ['string', 'number', 'boolean'] });
const config = described(
  record({ type: ['string', 'number', 'boolean'] }),
  "values for the agent's `config` parameters (each checked against its declared type; secret ones cannot be sent)",
);

const detach = described(
  { type: 'boolean', default: false },
  'keep the run going when the client disconnects (a JSON request is answered 202 with the run id at once)',
);

export type Scalar = string | number | boolean;

export const InvokeBody = body(
  'InvokeRequest',
  object(
    {
      message: described(message, 'the user message'),
      variables: described(variables, "values for the agent prompt's variables"),
      config,
      session_id: described({ type: 'string', minLength: 1, maxLength: 200 }, 'continue this existing session'),
      detach,
    },
    ['variables', 'config', 'session_id', 'detach'],
  ),
);

export const SessionMessageBody = body('SessionMessageRequest', object({ message, variables, config, detach }, ['variables', 'config', 'detach']));

export const CreateSessionBody = body(
  'CreateSessionRequest',
  object({ ttl_seconds: described({ type: 'integer', exclusiveMinimum: 0, maximum: 31_536_000 }, 'lifetime of the session') }, ['ttl_seconds']),
);

export const PipelineRunBody = body(
  'PipelineRunRequest',
  object({ trigger: { ...described(record({}), 'values for `{{trigger.*}}` templates'), default: {} }, detach }, ['trigger', 'detach']),
);

export const ApprovalBody = body(
  'ApprovalDecisionRequest',
  object(
    {
      decision: described(oneOf(['approve', 'reject']), 'approve runs the call (with `input` when given); reject tells the model `reason`'),
      input: described({}, "an edited input for an approved call (checked against the skill's input schema)"),
      reason: described({ type: 'string', maxLength: 2000 }, 'what the model is told of a rejection'),
      detach,
    },
    ['input', 'reason', 'detach'],
  ),
);

const tokens = object({ input: num, output: num, cache_read: num, cache_write: num, total: num });
/** A variable an agent's prompt takes, as `GET /v1/agents` lists it. */
const PROMPT_VARIABLE = object({ name: text, type: oneOf(VARIABLE_TYPES), required: bool, default: { type: ['string', 'number', 'boolean'] } }, ['default']);

/** Response schemas and the shared parts they refer to, by OpenAPI component id. */
export const RESPONSE_SCHEMAS = {
  TokenUsage: tokens,
  ToolCall: object({ id: text, name: text, input: {}, output: {}, error: text, status: oneOf(['ok', 'error']), duration_ms: num }, ['output', 'error']),
  InvokeResponse: object(
    {
      output: text,
      tool_calls: array(ref('ToolCall')),
      tokens: ref('TokenUsage'),
      turns: int,
      duration_ms: num,
      session_id: text,
      validation: described(
        object({ warnings: array(object({ rule: text, message: text })) }),
        'present when the agent declares validate rules: the warning rules the answer broke (an error rule fails the run instead)',
      ),
      guardrails: described(
        array(object({ guardrail: text, mode: oneOf(['warn', 'block']), side: oneOf(['input', 'output']), match: oneOf(['keyword', 'pattern', 'too_long']) })),
        'guardrails that fired (warn and block), never the matched text',
      ),
      model: described(text, 'the model that answered, for an agent with a models chain'),
    },
    ['session_id', 'validation', 'guardrails', 'model'],
  ),
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
        object({ mode: oneOf(['bubblewrap', 'refused', 'unsafe', 'lambda-function']), seccomp: bool, missing: array(text) }),
        'how inline tools run here; present when the package has inline tools',
      ),
    },
    ['inline_code'],
  ),
  Agents: object({
    agents: array(
      object({
        name: text,
        model: text,
        strategy: text,
        skills: array(text),
        variables: array(PROMPT_VARIABLE),
        counters: object({ invocations: num, errors: num, tokens: num }),
      }),
    ),
  }),
  Pipelines: object({ pipelines: array(object({ name: text, steps: array(text) })) }),
  SessionCreated: object({ session_id: text, agent: text, created_at: text }),
  Session: object({
    session_id: text,
    agent: text,
    messages: array(object({ role: oneOf(['user', 'assistant']), content: array(record({})) })),
  }),
  PipelineResult: object(
    {
      pipeline: text,
      status: oneOf(['succeeded', 'failed']),
      failed_step: text,
      steps: array(
        object(
          {
            name: text,
            agent: text,
            status: oneOf(['succeeded', 'failed', 'skipped', 'cancelled']),
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
  PendingApproval: object({
    id: described(text, 'the approval id of POST /v1/runs/{id}/approvals/{approval}'),
    tool_call_id: text,
    skill: text,
    input: {},
    expires_at: described(text, 'ISO-8601; a decision after it is refused and the call counts as rejected'),
  }),
  Run: object(
    {
      run_id: text,
      kind: oneOf(RUN_KINDS),
      target: described(text, "the agent's name (a pipeline run: the pipeline's)"),
      status: oneOf(RUN_STATUSES),
      created_at: text,
      updated_at: text,
      session_id: text,
      result: described({}, 'once succeeded: the invoke answer (InvokeResponse) or, for a pipeline run, the PipelineResult'),
      error: described(ref('Error'), 'once failed or cancelled'),
      approvals: described(array(ref('PendingApproval')), 'while waiting: the tool calls waiting for a decision'),
      cancel_requested: described(bool, 'a cancel was asked for; the instance driving the run stops it'),
      last_event_id: described(int, 'the seq of the last logged event (0: none yet): the SSE id to resume after'),
      log_incomplete: described(bool, 'the store could not log every event (a failure or its bounds): a replay misses some'),
    },
    ['session_id', 'result', 'error', 'approvals', 'cancel_requested', 'log_incomplete'],
  ),
  RunAccepted: described(
    object({ run_id: text, status: oneOf(['running', 'waiting']), approvals: array(ref('PendingApproval')) }, ['approvals']),
    'a detached run (status running) or a run paused for approvals (status waiting); follow it at GET /v1/runs/{id}/events',
  ),
  StreamRun: object({ run_id: text }),
  StreamWaiting: object({ run_id: text, approvals: array(ref('PendingApproval')) }),
  StreamText: object({ text }),
  StreamToolCallStart: object({ id: text, name: text, input: {} }),
  StreamError: object({ error: described(text, 'error code'), message: text, details: record({}) }, ['details']),
} satisfies Record<string, JsonSchema>;

/**
 * The events of `POST /v1/agents/{name}/stream` and `GET /v1/runs/{id}/events`: each SSE `event:` name and the
 * component its `data:` JSON matches (a pipeline run's `done` carries a PipelineResult).
 */
export const STREAM_EVENTS = {
  run: 'StreamRun',
  text: 'StreamText',
  tool_call_start: 'StreamToolCallStart',
  tool_call_end: 'ToolCall',
  approval_required: 'PendingApproval',
  waiting: 'StreamWaiting',
  error: 'StreamError',
  done: 'InvokeResponse',
} as const satisfies Record<string, keyof typeof RESPONSE_SCHEMAS>;

export type ResponseId = keyof typeof RESPONSE_SCHEMAS;
/** The type of a response body, read off its schema. */
export type ResponseBody<Id extends ResponseId> = SchemaType<(typeof RESPONSE_SCHEMAS)[Id], typeof RESPONSE_SCHEMAS>;
/** The type of what a client sends as a request body. */
export type RequestBody<B> = B extends BodySchema<unknown, infer Sent> ? Sent : never;
/** One streamed event as a client reads it: `type` is the SSE event name, `data` its parsed JSON. */
export type StreamEvent = { [E in keyof typeof STREAM_EVENTS]: { type: E; data: ResponseBody<(typeof STREAM_EVENTS)[E]> } }[keyof typeof STREAM_EVENTS];
