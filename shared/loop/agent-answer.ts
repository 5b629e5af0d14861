/**
 * How one agent invocation reaches its answer: the agent's `on input` block
 * first; when no action of it answered, the agent's strategy (the model).
 * Either answer then meets the agent's `validate` rules: a model answer that
 * breaks an `error` rule is regenerated with the rule's message, a direct
 * answer cannot be (no model made it) and fails at once. While a model answer
 * may still be rejected, its streamed text is held back.
 */
import type { IRStatement } from '../ir/types.js';
import type { Message } from '../llm/types.js';
import type { ConfigValues } from './config-params.js';
import { assistantText, taskOf } from './messages.js';
import { runOnInput } from './on-input.js';
import { checkRules, feedbackMessage, RuleRetries, rulesOf, TextGate, validationFailed, type RuleScope, type RuleWarning } from './output-rules.js';
import type { RunContext, StrategyResult } from './run-context.js';
import type { Continuation } from './resume-turn.js';
import { STRATEGIES } from './strategies/index.js';

/** What a request adds to the variables of expressions (the message is read from the conversation). */
export interface RequestScope {
  config: ConfigValues;
  session: Readonly<Record<string, unknown>>;
}

export interface Answer extends StrategyResult {
  /** the violated `warning` rules; undefined when the agent declares no rules */
  warnings: RuleWarning[] | undefined;
}

/**
 * Runs `on input`, else the strategy, and applies the rules; `conversation`
 * ends with the user's message. A resumed run (`resume`) has passed `on
 * input` already: the continuation stands in for the strategy's first attempt.
 */
export async function produceAnswer(ctx: RunContext, conversation: Message[], request: RequestScope, resume?: Continuation): Promise<Answer> {
  const scope: RuleScope = { input: resume ? resume.input : taskOf(conversation), ...request };
  const rules = rulesOf(ctx);
  const reported = (ctx.agent.attrs.validate ?? []).length > 0;
  const statements = ctx.agent.attrs.on_input as IRStatement[] | undefined;
  const direct = !resume && statements && statements.length > 0 ? await runOnInput(ctx, statements, scope) : undefined;
  if (direct !== undefined) {
    const output = ctx.host.redactor.redact(direct);
    const check = checkRules(ctx, rules, scope, output);
    if (check.errors.length > 0) throw validationFailed(ctx.agent.name, check.errors, 1);
    if (output) ctx.emit({ type: 'text', data: { text: output } });
    ctx.progress.emitted += output;
    return { output, added: [assistantText(output)], warnings: reported ? check.warnings : undefined };
  }

  const strategy = STRATEGIES[ctx.agent.attrs.strategy];
  if (rules.length === 0) return { ...(await (resume ? resume.run : strategy)(ctx, conversation)), warnings: reported ? [] : undefined };
  const gate = rules.some((rule) => rule.severity === 'error') ? new TextGate(ctx.emit) : undefined;
  const run: RunContext = gate ? { ...ctx, emit: gate.emit } : ctx;
  const retries = new RuleRetries();
  for (let attempt = 1; ; attempt++) {
    // strategies may or may not append to the conversation: leave it as the transcript of every attempt either way
    const before = conversation.length;
    const result = await (attempt === 1 && resume ? resume.run : strategy)(run, conversation);
    conversation.length = before;
    conversation.push(...result.added);
    const output = ctx.host.redactor.redact(result.output);
    const check = checkRules(ctx, rules, scope, output);
    if (check.errors.length === 0) {
      gate?.release();
      return { output, added: result.added, warnings: check.warnings };
    }
    gate?.drop();
    if (!retries.take(check.errors)) throw validationFailed(ctx.agent.name, check.errors, attempt);
    conversation.push(feedbackMessage(scope.input, check.errors));
  }
}
