/**
 * A `ToolRegistry` for loop tests: tools defined by handlers with
 * controllable delays. It records every call (start, end, the signal it got)
 * and, like the real registry, turns a thrown error into an error result.
 */
import type { ToolDefinition } from '../../shared/llm/types.js';
import type { ToolContext, ToolRegistry, ToolResult } from '../../shared/tools/types.js';

export interface TestTool {
  name: string;
  description?: string;
  /** delay before the handler answers; aborted with the signal */
  delayMs?: number;
  handler?: (input: unknown, ctx: ToolContext) => unknown;
  /** only these agents see the tool (default: every agent) */
  agents?: string[];
}

export interface ToolCallLog {
  agent: string;
  name: string;
  input: unknown;
  signal: AbortSignal;
  startedAt: number;
  endedAt?: number;
}

export interface TestToolRegistry extends ToolRegistry {
  readonly calls: ToolCallLog[];
  closed: boolean;
}

/** A registry of test tools. */
export function testTools(...tools: TestTool[]): TestToolRegistry {
  const byName = new Map(tools.map((t) => [t.name, t]));
  const definitions = new Map<string, ToolDefinition[]>();
  const registry: TestToolRegistry = {
    calls: [],
    closed: false,
    async definitionsFor(agent) {
      let defs = definitions.get(agent);
      if (!defs) {
        defs = tools
          .filter((t) => !t.agents || t.agents.includes(agent))
          .map((t) => ({ name: t.name, description: t.description ?? `the ${t.name} tool`, input_schema: { type: 'object' } }));
        definitions.set(agent, defs);
      }
      return defs;
    },
    async call(agent, name, input, ctx): Promise<ToolResult> {
      const tool = byName.get(name);
      if (!tool) return { ok: false, error: `unknown tool "${name}"` };
      const log: ToolCallLog = { agent, name, input, signal: ctx.signal, startedAt: Date.now() };
      registry.calls.push(log);
      try {
        if (tool.delayMs) await delay(tool.delayMs, ctx.signal);
        const output = tool.handler ? await tool.handler(input, ctx) : { ok: true };
        return { ok: true, output };
      } catch (error) {
        return { ok: false, error: error instanceof Error ? error.message : String(error) };
      } finally {
        log.endedAt = Date.now();
      }
    },
    async close() {
      registry.closed = true;
    },
  };
  return registry;
}

function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new Error('tool aborted'));
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new Error('tool aborted'));
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
