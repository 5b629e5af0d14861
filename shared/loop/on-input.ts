/**
 * An agent's `on input` block, run before any model call. Statements run in
 * order: `if` / `else if` / `else` take the first branch whose condition is
 * true; `for each v in <list>` runs its body per element (nil is an empty
 * list); `use skill s [with {…}]` runs the skill's tool directly and keeps
 * its output as `steps.s`; `delegate to a` runs agent a on the message;
 * `respond` sets the answer. As in the original, a statement does not stop
 * the block: the answer is what the last action produced. No action run →
 * no answer, and the model loop runs as usual.
 *
 * Actions emit the events of a tool call (`tool_call_start`/`_end`, with the
 * hand-off name `delegate_to_<a>` for a delegation) and are recorded in the
 * result's `tool_calls`, with secret config values redacted.
 */
import { AgentSpecError, ErrorCode, isAgentSpecError } from '../errors.js';
import { truthy } from '../expr/index.js';
import { findResource, type IRStatement } from '../ir/types.js';
import type { ToolResult } from '../tools/types.js';
import { toToolName } from '../tools/tool-names.js';
import { abortReason } from './deadline.js';
import { checkDelegationDepth, delegateToolName } from './delegation.js';
import { textOf, valueOf } from './expressions.js';
import { userText } from './messages.js';
import type { RunContext } from './run-context.js';
import type { ToolCallRecord } from './types.js';

/** Elements one `for each` may walk. */
export const MAX_FOR_EACH_ITEMS = 1000;
/** Actions (`use skill`, `delegate`, `respond`) one run of a block may take. */
export const MAX_ACTIONS = 1000;

/** The variables of the block besides `steps` and loop variables. */
export interface OnInputScope {
  input: string;
  config: Readonly<Record<string, unknown>>;
  session: Readonly<Record<string, unknown>>;
}

/** Runs the block; the answer of its last action, or undefined when no action ran. */
export async function runOnInput(ctx: RunContext, statements: readonly IRStatement[], scope: OnInputScope): Promise<string | undefined> {
  const run = new BlockRun(ctx, scope);
  await run.block(statements, {});
  return run.answer;
}

type Locals = Readonly<Record<string, unknown>>;

class BlockRun {
  answer: string | undefined;
  private readonly steps: Record<string, unknown> = {};
  private actions = 0;

  constructor(
    private readonly ctx: RunContext,
    private readonly scope: OnInputScope,
  ) {}

  async block(statements: readonly IRStatement[], locals: Locals): Promise<void> {
    for (const statement of statements) {
      if (this.ctx.signal.aborted) throw abortReason(this.ctx.signal);
      await this.statement(statement, locals);
    }
  }

  private async statement(statement: IRStatement, locals: Locals): Promise<void> {
    switch (statement.kind) {
      case 'if': {
        for (const branch of statement.branches) {
          if (truthy(this.value('the condition', branch.condition, locals))) return this.block(branch.body, locals);
        }
        if (statement.else) await this.block(statement.else, locals);
        return;
      }
      case 'for_each': {
        const items = this.list(statement.collection, locals);
        for (const item of items) await this.block(statement.body, { ...locals, [statement.variable]: item });
        return;
      }
      case 'use_skill': {
        const args = statement.params ? this.args(statement.params, locals) : this.messageArgs(statement.skill);
        const tool = toToolName(statement.skill);
        const output = await this.action(tool, args, async () =>
          // on input cannot wait for a person: a skill that needs approval is refused, never run unapproved
          this.ctx.host.approvals.ruleOf(tool)
            ? { ok: false, error: `The skill "${statement.skill}" needs a person's approval, which on input cannot wait for; it was not run.` }
            : this.ctx.host.tools.call(this.ctx.agent.name, tool, args, {
                signal: this.ctx.signal,
                agent: this.ctx.agent.name,
                callId: this.callId,
              }),
        );
        this.steps[statement.skill] = output;
        this.answer = typeof output === 'string' ? output : (JSON.stringify(output) ?? '');
        return;
      }
      case 'delegate': {
        checkDelegationDepth(this.ctx, statement.agent);
        const message = this.scope.input;
        const output = await this.action(delegateToolName(statement.agent), { message }, async () => {
          const outcome = await this.ctx.host.runNested(statement.agent, [userText(message)], { parent: this.ctx, emit: () => {} });
          return { ok: true, output: outcome.output };
        });
        this.answer = String(output);
        return;
      }
      case 'respond': {
        this.count();
        this.answer = statement.text ?? textOf(this.place('the answer', statement.expression ?? '""'), this.env(locals));
        return;
      }
    }
  }

  private get callId(): string {
    return `on_input_${this.actions}`;
  }

  private env(locals: Locals): Record<string, unknown> {
    return { ...this.scope, steps: this.steps, ...locals };
  }

  private place(place: string, text: string) {
    return { agent: this.ctx.agent.name, place: `on input, ${place}`, text };
  }

  private value(place: string, text: string, locals: Locals): unknown {
    return valueOf(this.place(place, text), this.env(locals));
  }

  private list(text: string, locals: Locals): readonly unknown[] {
    const value = this.value('the list of for each', text, locals);
    if (value === null || value === undefined) return [];
    if (!Array.isArray(value)) throw this.error(`the list of for each \`${text}\` is not a list.`, { expression: text });
    if (value.length > MAX_FOR_EACH_ITEMS) {
      throw this.error(`the list of for each \`${text}\` has ${value.length} elements, more than the limit of ${MAX_FOR_EACH_ITEMS}.`, {
        expression: text,
        limit: MAX_FOR_EACH_ITEMS,
      });
    }
    return value;
  }

  private args(params: Readonly<Record<string, string>>, locals: Locals): Record<string, unknown> {
    const args: Record<string, unknown> = {};
    for (const [key, text] of Object.entries(params)) args[key] = this.value(`the value of "${key}"`, text, locals);
    return args;
  }

  /** Without `with`: the message goes to the skill's one required string input. */
  private messageArgs(skill: string): Record<string, unknown> {
    const schema = findResource(this.ctx.host.ir, 'Skill', skill)?.attributes.input_schema as
      { properties?: Record<string, { type?: unknown }>; required?: string[] } | undefined;
    const required = schema?.required ?? [];
    const only = required.length === 1 ? required[0]! : undefined;
    if (only !== undefined && schema?.properties?.[only]?.type === 'string') return { [only]: this.scope.input };
    const inputs = Object.entries(schema?.properties ?? {}).map(
      ([name, p]) => `${name} (${String(p.type ?? 'any')}${required.includes(name) ? ', required' : ''})`,
    );
    throw this.error(
      `\`use skill ${skill}\` without \`with\` passes the message to the skill's one required string input, but "${skill}" takes ${inputs.length > 0 ? inputs.join(', ') : 'no inputs'}: write \`use skill ${skill} with { … }\`.`,
      { skill, inputs: Object.keys(schema?.properties ?? {}) },
    );
  }

  /** Runs one action as a tool call: events, record, telemetry; its output, or the failure thrown. */
  private async action(name: string, input: unknown, run: () => Promise<ToolResult>): Promise<unknown> {
    this.count();
    const { ctx } = this;
    const redactor = ctx.host.redactor;
    const id = this.callId;
    const shown = redactor.redactDeep(input);
    ctx.emit({ type: 'tool_call_start', data: { id, name, input: shown } });
    const start = ctx.host.now();
    let result: ToolResult;
    let thrown: unknown;
    try {
      result = await run();
    } catch (error) {
      thrown = error;
      result = { ok: false, error: isAgentSpecError(error) ? `${error.code}: ${error.message}` : 'The action failed.' };
    }
    const duration_ms = ctx.host.now() - start;
    const record: ToolCallRecord = result.ok
      ? { id, name, input: shown, output: redactor.redactDeep(result.output), status: 'ok', duration_ms }
      : { id, name, input: shown, error: redactor.redact(result.error), status: 'error', duration_ms };
    ctx.toolCalls.push(record);
    ctx.emit({ type: 'tool_call_end', data: record });
    ctx.host.observer.record({
      type: 'tool_call',
      invocation_id: ctx.invocationId,
      agent: ctx.agent.name,
      tool: name,
      call_id: id,
      status: record.status,
      start_ms: start,
      duration_ms,
    });
    if (thrown !== undefined) throw thrown;
    if (!result.ok)
      throw new AgentSpecError(ErrorCode.ToolError, `Agent "${ctx.agent.name}", on input: "${name}" failed: ${record.error}`, {
        details: { agent: ctx.agent.name, tool: name },
      });
    return result.output;
  }

  private count(): void {
    if (++this.actions > MAX_ACTIONS) {
      throw this.error(`the block took more than ${MAX_ACTIONS} actions.`, { limit: MAX_ACTIONS });
    }
  }

  private error(reason: string, details: Record<string, unknown>): AgentSpecError {
    return new AgentSpecError(ErrorCode.ConfigError, `Agent "${this.ctx.agent.name}", on input: ${reason}`, {
      details: { agent: this.ctx.agent.name, ...details },
    });
  }
}
