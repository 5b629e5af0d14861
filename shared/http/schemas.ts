/**
 * The zod schemas of the HTTP API. Request schemas validate bodies; the same
 * schemas (and the response schemas beside them) generate `/openapi.json`, so
 * the description cannot drift from what the server accepts.
 *
 * Written with `zod/mini`, zod's functional API over the same core: loading
 * classic zod and building these schemas with it took ~45 ms of every cold
 * start on our 2-core machine, mini takes a few. The MCP SDK still uses
 * classic zod, loaded with the SDK when a package has MCP servers.
 *
 * `zod/v4-mini` is the path the MCP SDK imports mini by: with two paths to the
 * same modules, esbuild initialises its lazily loaded copy out of order and
 * the Lambda bundle fails at load (test/aws/function-bundles.test.ts).
 */
import en from 'zod/v4/locales/en.js';
import * as z from 'zod/v4-mini';

// mini carries no messages of its own: the English locale gives issues readable text
// (imported by path: `z.locales.en` would keep every locale in the bundle)
z.config(en());

/** Registers OpenAPI metadata (an `id` makes a named component; a `description` documents a field). */
function meta<T extends z.ZodMiniType>(schema: T, data: { id?: string; description?: string }): T {
  z.globalRegistry.add(schema, data);
  return schema;
}

const scalar = z.union([z.string(), z.number(), z.boolean()]);
const num = z.number();
const text = z.string();

export const InvokeBody = meta(
  z.strictObject({
    message: meta(z.string().check(z.minLength(1, 'message must not be empty'), z.maxLength(1_000_000)), { description: 'the user message' }),
    variables: meta(z.optional(z.record(z.string(), scalar)), { description: "values for the agent prompt's variables" }),
    session_id: meta(z.optional(z.string().check(z.minLength(1), z.maxLength(200))), { description: 'continue this existing session' }),
  }),
  { id: 'InvokeRequest' },
);

export const SessionMessageBody = meta(
  z.strictObject({
    message: z.string().check(z.minLength(1, 'message must not be empty'), z.maxLength(1_000_000)),
    variables: z.optional(z.record(z.string(), scalar)),
  }),
  { id: 'SessionMessageRequest' },
);

export const CreateSessionBody = meta(
  z.strictObject({
    ttl_seconds: meta(z.optional(z.int().check(z.positive(), z.maximum(31_536_000))), { description: 'lifetime of the session' }),
  }),
  { id: 'CreateSessionRequest' },
);

export const PipelineRunBody = meta(
  z.strictObject({
    trigger: meta(z._default(z.record(z.string(), z.unknown()), {}), { description: 'values for `{{trigger.*}}` templates' }),
  }),
  { id: 'PipelineRunRequest' },
);

const Tokens = meta(z.object({ input: num, output: num, cache_read: num, cache_write: num, total: num }), { id: 'TokenUsage' });

const ToolCall = meta(
  z.object({
    id: text,
    name: text,
    input: z.unknown(),
    output: z.optional(z.unknown()),
    error: z.optional(text),
    status: z.enum(['ok', 'error']),
    duration_ms: num,
  }),
  { id: 'ToolCall' },
);

export const InvokeResponse = meta(
  z.object({
    output: text,
    tool_calls: z.array(ToolCall),
    tokens: Tokens,
    turns: z.int(),
    duration_ms: num,
    session_id: z.optional(text),
  }),
  { id: 'InvokeResponse' },
);

export const ErrorResponse = meta(z.object({ error: meta(z.string(), { description: 'error code' }), message: text, details: z.record(z.string(), z.unknown()) }), {
  id: 'Error',
});

export const HealthResponse = meta(z.object({ status: z.literal('ok'), uptime_s: num, agents: z.int(), version: text }), { id: 'Health' });

export const AgentsResponse = meta(
  z.object({
    agents: z.array(
      z.object({
        name: text,
        model: text,
        strategy: text,
        skills: z.array(text),
        counters: z.object({ invocations: num, errors: num, tokens: num }),
      }),
    ),
  }),
  { id: 'Agents' },
);

export const PipelinesResponse = meta(z.object({ pipelines: z.array(z.object({ name: text, steps: z.array(text) })) }), { id: 'Pipelines' });

export const SessionCreated = meta(z.object({ session_id: text, agent: text, created_at: text }), { id: 'SessionCreated' });

export const SessionResponse = meta(
  z.object({
    session_id: text,
    agent: text,
    messages: z.array(z.object({ role: z.enum(['user', 'assistant']), content: z.array(z.record(z.string(), z.unknown())) })),
  }),
  { id: 'Session' },
);

export const PipelineResultResponse = meta(
  z.object({
    pipeline: text,
    status: z.enum(['succeeded', 'failed']),
    failed_step: z.optional(text),
    steps: z.array(
      z.object({
        name: text,
        agent: text,
        status: z.enum(['succeeded', 'failed', 'skipped', 'cancelled']),
        output: z.optional(text),
        error: z.optional(z.object({ error: text, message: text })),
        duration_ms: num,
        tokens: Tokens,
      }),
    ),
    duration_ms: num,
    tokens: Tokens,
  }),
  { id: 'PipelineResult' },
);
