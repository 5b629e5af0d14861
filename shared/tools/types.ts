/**
 * Tool execution interfaces. An executor runs one kind of tool (mcp, http,
 * command, inline); the registry, built from the IR, validates input/output
 * against the skill's schemas, applies timeouts and turns every failure into
 * an error result for the model — it never throws for a tool failure.
 */
import type { ToolDefinition } from '../llm/types.js';

export interface ToolContext {
  /** aborted when the invocation is cancelled or times out */
  signal: AbortSignal;
  agent: string;
  /** the model's tool_use id */
  callId: string;
}

/** Runs one kind of tool. Throws an `AgentSpecError` (code `tool_error`, `timeout`, …) on failure. */
export interface ToolExecutor {
  execute(input: unknown, ctx: ToolContext): Promise<unknown>;
}

export type ToolResult = { ok: true; output: unknown } | { ok: false; error: string };

/** The tools offered to agents. */
export interface ToolRegistry {
  /** Tool definitions offered to an agent: its skills plus every tool of the clients it connects to. */
  definitionsFor(agent: string): Promise<ToolDefinition[]>;
  /** Runs a tool by the name the model used. Never throws for a tool failure: returns `{ok:false}`. */
  call(agent: string, name: string, input: unknown, ctx: ToolContext): Promise<ToolResult>;
  /** Stops pooled servers and processes. */
  close(): Promise<void>;
}
