/**
 * The zod schemas of the HTTP API. Request schemas validate bodies; the same
 * schemas (and the response schemas beside them) generate `/openapi.json`, so
 * the description cannot drift from what the server accepts.
 */
// A namespace import lets the bundler drop the parts of zod we do not use (a named `z` keeps all of it,
// locales included); `zod/v4` is the path the MCP SDK imports, and one path for both keeps esbuild's
// lazily initialised copy of zod in order (test/aws/function-bundles.test.ts fails otherwise).
import * as z from 'zod/v4';

const scalar = z.union([z.string(), z.number(), z.boolean()]);

export const InvokeBody = z
  .strictObject({
    message: z.string().min(1, 'message must not be empty').max(1_000_000).describe('the user message'),
    variables: z.record(z.string(), scalar).optional().describe("values for the agent prompt's variables"),
    session_id: z.string().min(1).max(200).optional().describe('continue this existing session'),
  })
  .meta({ id: 'InvokeRequest' });

export const SessionMessageBody = z
  .strictObject({
    message: z.string().min(1, 'message must not be empty').max(1_000_000),
    variables: z.record(z.string(), scalar).optional(),
  })
  .meta({ id: 'SessionMessageRequest' });

export const CreateSessionBody = z
  .strictObject({
    ttl_seconds: z.number().int().positive().max(31_536_000).optional().describe('lifetime of the session'),
  })
  .meta({ id: 'CreateSessionRequest' });

export const PipelineRunBody = z
  .strictObject({
    trigger: z.record(z.string(), z.unknown()).default({}).describe('values for `{{trigger.*}}` templates'),
  })
  .meta({ id: 'PipelineRunRequest' });

const Tokens = z
  .object({ input: z.number(), output: z.number(), cache_read: z.number(), cache_write: z.number(), total: z.number() })
  .meta({ id: 'TokenUsage' });

const ToolCall = z
  .object({
    id: z.string(),
    name: z.string(),
    input: z.unknown(),
    output: z.unknown().optional(),
    error: z.string().optional(),
    status: z.enum(['ok', 'error']),
    duration_ms: z.number(),
  })
  .meta({ id: 'ToolCall' });

export const InvokeResponse = z
  .object({
    output: z.string(),
    tool_calls: z.array(ToolCall),
    tokens: Tokens,
    turns: z.number().int(),
    duration_ms: z.number(),
    session_id: z.string().optional(),
  })
  .meta({ id: 'InvokeResponse' });

export const ErrorResponse = z
  .object({ error: z.string().describe('error code'), message: z.string(), details: z.record(z.string(), z.unknown()) })
  .meta({ id: 'Error' });

export const HealthResponse = z
  .object({ status: z.literal('ok'), uptime_s: z.number(), agents: z.number().int(), version: z.string() })
  .meta({ id: 'Health' });

export const AgentsResponse = z
  .object({
    agents: z.array(
      z.object({
        name: z.string(),
        model: z.string(),
        strategy: z.string(),
        skills: z.array(z.string()),
        counters: z.object({ invocations: z.number(), errors: z.number(), tokens: z.number() }),
      }),
    ),
  })
  .meta({ id: 'Agents' });

export const PipelinesResponse = z
  .object({ pipelines: z.array(z.object({ name: z.string(), steps: z.array(z.string()) })) })
  .meta({ id: 'Pipelines' });

export const SessionCreated = z
  .object({ session_id: z.string(), agent: z.string(), created_at: z.string() })
  .meta({ id: 'SessionCreated' });

export const SessionResponse = z
  .object({
    session_id: z.string(),
    agent: z.string(),
    messages: z.array(z.object({ role: z.enum(['user', 'assistant']), content: z.array(z.record(z.string(), z.unknown())) })),
  })
  .meta({ id: 'Session' });

export const PipelineResultResponse = z
  .object({
    pipeline: z.string(),
    status: z.enum(['succeeded', 'failed']),
    failed_step: z.string().optional(),
    steps: z.array(
      z.object({
        name: z.string(),
        agent: z.string(),
        status: z.enum(['succeeded', 'failed', 'skipped', 'cancelled']),
        output: z.string().optional(),
        error: z.object({ error: z.string(), message: z.string() }).optional(),
        duration_ms: z.number(),
        tokens: Tokens,
      }),
    ),
    duration_ms: z.number(),
    tokens: Tokens,
  })
  .meta({ id: 'PipelineResult' });
